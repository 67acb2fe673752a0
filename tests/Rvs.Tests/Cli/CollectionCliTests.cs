using System.Text.Json;
using Rvs.Tests.Support;

namespace Rvs.Tests.Cli;

/// <summary>The main job through the real command line: index a folder of LFW photos, then search it.</summary>
public sealed class CollectionCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rvs-cli-collection-").FullName;

    [Fact]
    public void index_then_search_finds_the_same_person_and_a_rerun_skips_everything()
    {
        var photos = Path.Combine(_root, "photos");
        foreach (var person in new[] { "Colin_Powell", "Tony_Blair", "Serena_Williams" })
        {
            Directory.CreateDirectory(Path.Combine(photos, person));
            for (var i = 1; i <= 5; i++)
            {
                File.Copy(TestData.LfwPhoto(person, i), Path.Combine(photos, person, $"{person}_{i:0000}.jpg"));
            }
        }

        File.WriteAllText(Path.Combine(photos, "Tony_Blair", "broken.jpg"), "not a photo");
        var collection = Path.Combine(_root, "collection");

        var first = CliRunner.Run("index", photos, "--collection", collection, "--label-from-folder");
        Assert.Equal(0, first.ExitCode);
        Assert.Contains("15 indexed", first.Stderr, StringComparison.Ordinal);
        Assert.Contains("1 unreadable", first.Stderr, StringComparison.Ordinal);
        Assert.Contains("broken.jpg", first.Stderr, StringComparison.Ordinal);

        var again = CliRunner.Run("index", photos, "--collection", collection, "--label-from-folder");
        Assert.Contains("0 indexed", again.Stderr, StringComparison.Ordinal);
        Assert.Contains("16 already present", again.Stderr, StringComparison.Ordinal); // the broken file too: unchanged, so not retried

        var html = Path.Combine(_root, "sheet.html");
        var search = CliRunner.Run("search", TestData.LfwPhoto("Tony_Blair", 10), "--collection", collection, "-k", "4", "--json", "--html", html);
        Assert.Equal(0, search.ExitCode);
        using var json = JsonDocument.Parse(search.Stdout);
        Assert.Equal(0, json.RootElement.GetProperty("query").GetProperty("face").GetInt32());
        var hits = json.RootElement.GetProperty("hits").EnumerateArray().ToArray();
        Assert.Equal(4, hits.Length);
        Assert.All(hits, h => Assert.Equal("Tony_Blair", h.GetProperty("label").GetString()));
        Assert.Equal([1, 2, 3, 4], hits.Select(h => h.GetProperty("rank").GetInt32()));
        var distances = hits.Select(h => h.GetProperty("distance").GetDouble()).ToArray();
        Assert.Equal(distances.Order(), distances);
        Assert.Contains("data:image/jpeg;base64,", File.ReadAllText(html), StringComparison.Ordinal);

        var similar = CliRunner.Run("similar", hits[0].GetProperty("face_id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), "--collection", collection, "--json");
        Assert.Equal(0, similar.ExitCode);
        using var similarJson = JsonDocument.Parse(similar.Stdout);
        Assert.Equal("Tony_Blair", similarJson.RootElement.GetProperty("hits")[0].GetProperty("label").GetString());
    }

    [Fact]
    public void searching_a_collection_that_does_not_exist_says_how_to_create_one()
    {
        var result = CliRunner.Run("search", TestData.LfwPhoto("Tony_Blair", 1), "--collection", Path.Combine(_root, "nothing"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("rvs index", result.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
