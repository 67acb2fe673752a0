using System.Globalization;
using System.Text.Json;
using Rvs.Tests.Support;

namespace Rvs.Tests.Cli;

/// <summary>`rvs people` through the real command line, on a few LFW persons indexed with mtcnn-facenet.</summary>
public sealed class PeopleCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rvs-cli-people-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    private static JsonElement[] Persons(string collection)
    {
        var listing = CliRunner.Run("people", "--collection", collection, "--json");
        Assert.True(listing.ExitCode == 0, listing.Stderr);
        return [.. JsonDocument.Parse(listing.Stdout).RootElement.GetProperty("persons").EnumerateArray()];
    }

    [Fact]
    public void recluster_names_persons_from_folders_and_a_merge_and_a_name_show_in_the_json_listing()
    {
        var photos = Path.Combine(_root, "photos");
        foreach (var person in new[] { "Colin_Powell", "Tony_Blair", "Serena_Williams" })
        {
            Directory.CreateDirectory(Path.Combine(photos, person));
            for (var i = 1; i <= 4; i++)
            {
                File.Copy(TestData.LfwPhoto(person, i), Path.Combine(photos, person, $"{person}_{i:0000}.jpg"));
            }
        }

        var collection = Path.Combine(_root, "collection");
        Assert.Equal(0, CliRunner.Run("index", photos, "--collection", collection, "--label-from-folder").ExitCode);

        var recluster = CliRunner.Run("people", "recluster", "--collection", collection);
        Assert.True(recluster.ExitCode == 0, recluster.Stderr);
        var persons = Persons(collection);
        Assert.Equal(["Colin_Powell", "Serena_Williams", "Tony_Blair"], persons.Select(p => p.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
        Assert.All(persons, p => Assert.Equal(4, p.GetProperty("face_count").GetInt32()));
        Assert.All(persons, p => Assert.All(p.GetProperty("faces").EnumerateArray(), f =>
            Assert.Contains(p.GetProperty("name").GetString()!, f.GetProperty("path").GetString()!, StringComparison.Ordinal)));

        string Id(string name) => persons.Single(p => p.GetProperty("name").GetString() == name).GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture);
        Assert.Equal(0, CliRunner.Run("people", "merge", Id("Colin_Powell"), Id("Tony_Blair"), "--collection", collection).ExitCode);
        Assert.Equal(0, CliRunner.Run("people", "name", Id("Colin_Powell"), "Colin and Tony", "--collection", collection).ExitCode);
        Assert.Equal(0, CliRunner.Run("people", "recluster", "--collection", collection).ExitCode);

        var after = Persons(collection);
        Assert.Equal(2, after.Length);
        Assert.Equal("Colin and Tony", after[0].GetProperty("name").GetString());
        Assert.Equal(8, after[0].GetProperty("face_count").GetInt32());
    }

    [Fact]
    public void an_unknown_person_gets_a_one_line_error()
    {
        var photos = Path.Combine(_root, "photos");
        Directory.CreateDirectory(photos);
        File.Copy(TestData.LfwPhoto("Tony_Blair", 1), Path.Combine(photos, "a.jpg"));
        var collection = Path.Combine(_root, "collection");
        Assert.Equal(0, CliRunner.Run("index", photos, "--collection", collection).ExitCode);

        var result = CliRunner.Run("people", "name", "42", "Nobody", "--collection", collection);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal("rvs: no person 42; `rvs people` lists them", result.Stderr.Trim());
    }
}
