using System.Globalization;
using System.Text.Json;
using Rvs.Testing;
using Rvs.Tests.Support;

namespace Rvs.Tests.Cli;

/// <summary>index, search, similar and stats through the real command line with --catalog on PostgreSQL.</summary>
[Trait(TestTier.Name, TestTier.Full)]
public sealed class SharedCatalogCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rvs-cli-catalog-").FullName;
    private readonly Lazy<PostgresDatabase> _database = new(() => new PostgresDatabase());

    public void Dispose()
    {
        if (_database.IsValueCreated)
        {
            _database.Value.Dispose();
        }

        Directory.Delete(_root, recursive: true);
    }

    [PostgresFact]
    public void index_search_similar_and_stats_work_on_a_catalog_uri_without_a_collection_directory()
    {
        var photos = Path.Combine(_root, "photos");
        foreach (var person in new[] { "Colin_Powell", "Tony_Blair" })
        {
            Directory.CreateDirectory(Path.Combine(photos, person));
            for (var i = 1; i <= 3; i++)
            {
                File.Copy(TestData.LfwPhoto(person, i), Path.Combine(photos, person, $"{person}_{i:0000}.jpg"));
            }
        }

        var uri = _database.Value.Uri;
        var index = CliRunner.Run("index", photos, "--catalog", uri, "--label-from-folder");
        Assert.Equal(0, index.ExitCode);
        Assert.Contains($"6 indexed", index.Stderr, StringComparison.Ordinal);
        Assert.Contains(uri, index.Stderr, StringComparison.Ordinal);

        var search = CliRunner.Run("search", TestData.LfwPhoto("Tony_Blair", 10), "--catalog", uri, "-k", "3", "--json");
        Assert.Equal(0, search.ExitCode);
        using var json = JsonDocument.Parse(search.Stdout);
        var hits = json.RootElement.GetProperty("hits").EnumerateArray().ToArray();
        Assert.Equal(3, hits.Length);
        Assert.All(hits, h => Assert.Equal("Tony_Blair", h.GetProperty("label").GetString()));

        var similar = CliRunner.Run("similar", hits[0].GetProperty("face_id").GetInt64().ToString(CultureInfo.InvariantCulture), "--catalog", uri, "--json");
        Assert.Equal(0, similar.ExitCode);
        using var similarJson = JsonDocument.Parse(similar.Stdout);
        Assert.Equal("Tony_Blair", similarJson.RootElement.GetProperty("hits")[0].GetProperty("label").GetString());

        var stats = CliRunner.Run("stats", "--catalog", uri, "--json");
        Assert.Equal(0, stats.ExitCode);
        using var statsJson = JsonDocument.Parse(stats.Stdout);
        Assert.Equal(6, statsJson.RootElement.GetProperty("images").GetInt32());
        Assert.Equal("exact", statsJson.RootElement.GetProperty("index").GetString());
    }

    [Fact]
    public void a_catalog_option_that_is_not_a_uri_is_refused_before_anything_runs()
    {
        var result = CliRunner.Run("stats", "--catalog", Path.Combine(_root, "somewhere"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--catalog takes a PostgreSQL URI", result.Stderr, StringComparison.Ordinal);
    }
}
