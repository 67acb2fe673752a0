using System.Text.Json;
using Rvs.Tests.Support;

namespace Rvs.Tests.Video;

/// <summary>`rvs index` with a video in the folder, then `rvs search`: the video is named with the time in every output.</summary>
public sealed class VideoCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rvs-cli-video-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [FfmpegFact]
    public void search_names_the_video_and_the_time_in_json_text_and_the_contact_sheet()
    {
        var photos = Path.Combine(_root, "photos");
        Directory.CreateDirectory(photos);
        VideoIndexingTests.MakeFolder(photos);
        var collection = Path.Combine(_root, "collection");

        var index = CliRunner.Run("index", photos, "--collection", collection);
        Assert.True(index.ExitCode == 0, index.Stderr);
        Assert.Contains("3 indexed (4 faces)", index.Stderr, StringComparison.Ordinal);

        var sheet = Path.Combine(_root, "sheet.html");
        var json = CliRunner.Run("search", TestData.LfwPhoto("Colin_Powell", 2), "--collection", collection, "--json", "--html", sheet);
        Assert.True(json.ExitCode == 0, json.Stderr);
        var hit = JsonDocument.Parse(json.Stdout).RootElement.GetProperty("hits")[0];
        Assert.Equal(Path.Combine(photos, "clip.mp4"), hit.GetProperty("path").GetString());
        var time = hit.GetProperty("time_seconds").GetDouble();
        Assert.InRange(time, VideoIndexingTests.PowellAppears - 0.05, VideoIndexingTests.PowellAppears + 1.0);
        var at = $" at {time:0.##} s";
        Assert.Contains($"clip.mp4{at}", File.ReadAllText(sheet), StringComparison.Ordinal);
        // The answer itself says where in the video to look.
        Assert.Equal($"match: face {hit.GetProperty("face_id").GetInt64()} in clip.mp4{at}",
            JsonDocument.Parse(json.Stdout).RootElement.GetProperty("answer").GetString());

        var text = CliRunner.Run("search", TestData.LfwPhoto("Colin_Powell", 2), "--collection", collection);
        Assert.True(text.ExitCode == 0, text.Stderr);
        Assert.Contains($"clip.mp4{at}", text.Stdout, StringComparison.Ordinal);
    }
}
