using System.Text.Json;
using Rvs.Tests.Support;
using SkiaSharp;

namespace Rvs.Tests.Cli;

/// <summary>One face numbering (largest first) in detect, embed (what search numbers) and verify.</summary>
public sealed class FaceNumberingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("rvs-numbering-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Three LFW faces pasted at different sizes on a grey canvas, the smallest first from the left.</summary>
    private string GroupPhoto()
    {
        using var canvasBitmap = new SKBitmap(900, 360);
        using (var canvas = new SKCanvas(canvasBitmap))
        {
            canvas.Clear(new SKColor(128, 128, 128));
            var x = 20;
            foreach (var (person, side) in new[] { ("Tony_Blair", 130), ("Colin_Powell", 300), ("Serena_Williams", 210) })
            {
                using var photo = SKBitmap.Decode(TestData.LfwPhoto(person, 1));
                // LFW photos are 250x250 with the subject centred; the middle 150x150 holds the face.
                canvas.DrawBitmap(photo, new SKRect(50, 50, 200, 200), new SKRect(x, 20, x + side, 20 + side));
                x += side + 40;
            }
        }

        var path = Path.Combine(_folder, "group.png");
        using var data = canvasBitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    private static List<float[]> Boxes(JsonElement faces) =>
        [.. faces.EnumerateArray().Select(f => f.GetProperty("box").EnumerateArray().Select(v => v.GetSingle()).ToArray())];

    [Fact]
    public void detect_and_the_search_pipeline_number_the_faces_of_a_group_photo_alike_largest_first()
    {
        var photo = GroupPhoto();

        var detect = CliRunner.Run("detect", photo, "--json");
        var embed = CliRunner.Run("embed", photo, "--json");

        Assert.Equal(0, detect.ExitCode);
        Assert.Equal(0, embed.ExitCode);
        var detected = Boxes(JsonDocument.Parse(detect.Stdout).RootElement.GetProperty("faces"));
        var embedded = Boxes(JsonDocument.Parse(embed.Stdout).RootElement.GetProperty("faces"));
        Assert.Equal(3, detected.Count);
        Assert.Equal(detected.Select(b => b[2] * b[3]).OrderDescending(), detected.Select(b => b[2] * b[3]));
        Assert.Equal(detected.Count, embedded.Count);
        Assert.All(detected.Zip(embedded), p => Assert.Equal(p.First[0], p.Second[0], 1f));
    }

    [Fact]
    public void verify_says_which_faces_it_compared_and_how_many_each_photo_had()
    {
        var photo = GroupPhoto();

        var result = CliRunner.Run("verify", photo, TestData.LfwPhoto("Colin_Powell", 2), "--face1", "0", "--json");
        var text = CliRunner.Run("verify", photo, TestData.LfwPhoto("Colin_Powell", 2), "--face1", "2");

        Assert.Equal(0, result.ExitCode);
        var json = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal(0, json.GetProperty("photo1").GetProperty("face").GetInt32());
        Assert.Equal(3, json.GetProperty("photo1").GetProperty("faces_in_photo").GetInt32());
        Assert.True(json.GetProperty("same_person").GetBoolean(), "face 0 is the largest: Colin Powell");
        Assert.Contains("face 2 of 3 in group.png", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("different people", text.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void a_face_number_the_photo_does_not_have_is_a_clear_error_in_json_too()
    {
        var result = CliRunner.Run("verify", GroupPhoto(), TestData.LfwPhoto("Colin_Powell", 2), "--face1", "7", "--json");

        Assert.Equal(1, result.ExitCode);
        var error = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("error").GetString();
        Assert.Contains("numbered 0 to 2", error, StringComparison.Ordinal);
    }
}
