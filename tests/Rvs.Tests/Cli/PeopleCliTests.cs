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
        // Each folder names one person, made of that folder's photos only; faces left over (a bystander, a photo
        // too far from the others to link in so small a collection) stay unnamed persons of their own.
        var persons = Persons(collection);
        var named = persons.Where(p => p.GetProperty("name").GetString() is not null).ToArray();
        Assert.Equal(["Colin_Powell", "Serena_Williams", "Tony_Blair"], named.Select(p => p.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
        Assert.All(named, p => Assert.InRange(p.GetProperty("face_count").GetInt32(), 3, 4));
        Assert.All(named, p => Assert.All(p.GetProperty("faces").EnumerateArray(), f =>
            Assert.Contains(p.GetProperty("name").GetString()!, f.GetProperty("path").GetString()!, StringComparison.Ordinal)));
        Assert.Equal(13, persons.Sum(p => p.GetProperty("face_count").GetInt32())); // 12 photos, one with a bystander

        string Id(string name) => persons.Single(p => p.GetProperty("name").GetString() == name).GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture);
        Assert.Equal(0, CliRunner.Run("people", "merge", Id("Colin_Powell"), Id("Tony_Blair"), "--collection", collection).ExitCode);
        Assert.Equal(0, CliRunner.Run("people", "name", Id("Colin_Powell"), "Colin and Tony", "--collection", collection).ExitCode);
        Assert.Equal(0, CliRunner.Run("people", "recluster", "--collection", collection).ExitCode);

        var after = Persons(collection);
        var merged = after.Single(p => p.GetProperty("name").GetString() == "Colin and Tony");
        var expected = named.Where(p => p.GetProperty("name").GetString() is "Colin_Powell" or "Tony_Blair").Sum(p => p.GetProperty("face_count").GetInt32());
        Assert.Equal(expected, merged.GetProperty("face_count").GetInt32());
        Assert.DoesNotContain(after, p => p.GetProperty("name").GetString() is "Colin_Powell" or "Tony_Blair");

        // A search by a photo not in the collection shows its person's group, by name, before the per-face list.
        var more = Path.Combine(_root, "more");
        Directory.CreateDirectory(more);
        var newPhoto = Path.Combine(more, "Colin_Powell_0005.jpg");
        File.Copy(TestData.LfwPhoto("Colin_Powell", 5), newPhoto);
        var search = CliRunner.Run("search", newPhoto, "--collection", collection, "--json", "-k", "5");
        Assert.True(search.ExitCode == 0, search.Stderr);
        var result = JsonDocument.Parse(search.Stdout).RootElement;
        var group = result.GetProperty("persons")[0];
        Assert.Equal("Colin and Tony", group.GetProperty("name").GetString());
        Assert.Equal(expected, group.GetProperty("face_count").GetInt32());
        Assert.Equal(result.GetProperty("hits")[0].GetProperty("face_id").GetInt64(), group.GetProperty("best").GetProperty("face_id").GetInt64());
        var text = CliRunner.Run("search", newPhoto, "--collection", collection, "-k", "5");
        Assert.True(text.ExitCode == 0, text.Stderr);
        Assert.Contains($"Colin and Tony: {expected} faces in the collection", text.Stdout, StringComparison.Ordinal);
        Assert.True(text.Stdout.IndexOf("Colin and Tony:", StringComparison.Ordinal) < text.Stdout.IndexOf("rank", StringComparison.Ordinal), "the person groups come before the per-face list");

        // `rvs index` on a clustered collection puts a new photo's face into its person without a re-cluster.
        var added = CliRunner.Run("index", more, "--collection", collection);
        Assert.True(added.ExitCode == 0, added.Stderr);
        Assert.Contains("placed 1 new faces into 1 persons (0 new)", added.Stderr, StringComparison.Ordinal);
        var grown = Persons(collection).Single(p => p.GetProperty("name").GetString() == "Colin and Tony");
        Assert.Equal(expected + 1, grown.GetProperty("face_count").GetInt32());
        Assert.Contains(grown.GetProperty("faces").EnumerateArray(), f => f.GetProperty("path").GetString()!.EndsWith("Colin_Powell_0005.jpg", StringComparison.Ordinal));
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
