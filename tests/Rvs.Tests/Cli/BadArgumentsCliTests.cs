using Rvs.Tests.Support;

namespace Rvs.Tests.Cli;

/// <summary>
/// Arguments rvs cannot use are answered with one clear line and exit 1, never a .NET message, a type name or a
/// stack trace, and nothing is written: through the real command line, on a small collection made for the test.
/// </summary>
public sealed class BadArgumentsCliTests(BadArgumentsCliTests.OnePhotoCollection shared) : IClassFixture<BadArgumentsCliTests.OnePhotoCollection>
{
    private readonly string _root = shared.Root;

    /// <summary>A collection of one LFW photo, indexed once through the CLI for all the tests here.</summary>
    public sealed class OnePhotoCollection : IDisposable
    {
        public OnePhotoCollection()
        {
            var photos = Path.Combine(Root, "photos");
            Directory.CreateDirectory(photos);
            File.Copy(TestData.LfwPhoto("Tony_Blair", 1), Path.Combine(photos, "Tony_Blair.jpg"));
            var index = CliRunner.Run("index", photos, "--collection", Collection);
            Assert.True(index.ExitCode == 0, index.Stderr);
        }

        public string Root { get; } = Directory.CreateTempSubdirectory("rvs-cli-bad-arguments-").FullName;

        public string Collection => Path.Combine(Root, "collection");

        public void Dispose() => Directory.Delete(Root, recursive: true);
    }

    private string SmallCollection() => shared.Collection;

    [Theory]
    [InlineData("not-a-url", "is not a URL to listen on")]
    [InlineData("https://127.0.0.1:5443", "rvs serves plain HTTP")]
    [InlineData("http://127.0.0.1:5000/photos", "has a path")]
    [InlineData("ftp://127.0.0.1:21", "only http:// URLs")]
    public void serve_with_a_bad_urls_value_says_what_is_wrong_and_exits_1(string urls, string expected)
    {
        var collection = SmallCollection();
        var before = Snapshot(collection);

        var result = CliRunner.Run("serve", "--collection", collection, "--urls", urls);

        AssertOneLineFailure(result, expected);
        Assert.Equal(before, Snapshot(collection));
    }

    [Fact]
    public void serve_with_an_upload_budget_smaller_than_one_upload_says_so_and_exits_1()
    {
        var result = CliRunner.Run("serve", "--collection", SmallCollection(), "--max-upload-mb", "20", "--upload-budget-mb", "10");

        AssertOneLineFailure(result, "--upload-budget-mb must be larger than --max-upload-mb");
    }

    [Fact]
    public void index_with_a_smallest_face_under_one_pixel_says_so_and_writes_nothing()
    {
        var collection = SmallCollection();
        var before = Snapshot(collection);

        var result = CliRunner.Run("index", Path.Combine(_root, "photos"), "--collection", collection, "--min-face", "0");

        AssertOneLineFailure(result, "--min-face is a face side in pixels, 1 or more");
        Assert.Equal(before, Snapshot(collection));
    }

    [Fact]
    public void index_looks_for_faces_no_smaller_than_min_face()
    {
        // The LFW photo is 250 px with a face of about 110 px: found by default, not when faces of 250 px are asked for.
        var large = Path.Combine(_root, $"large-faces-{Guid.NewGuid():N}");
        var found = Path.Combine(_root, $"default-{Guid.NewGuid():N}");

        var onlyLarge = CliRunner.Run("index", Path.Combine(_root, "photos"), "--collection", large, "--min-face", "250");
        var byDefault = CliRunner.Run("index", Path.Combine(_root, "photos"), "--collection", found);
        var stats = (Large: CliRunner.Run("stats", "--collection", large, "--json"), Default: CliRunner.Run("stats", "--collection", found, "--json"));

        Assert.True(onlyLarge.ExitCode == 0, onlyLarge.Stderr);
        Assert.True(byDefault.ExitCode == 0, byDefault.Stderr);
        Assert.Contains("\"faces\":0,", stats.Large.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"faces\":1,", stats.Default.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-3")]
    [InlineData("1.5")]
    public void similar_with_an_id_that_is_not_a_positive_whole_number_says_so_and_exits_1(string id)
    {
        var collection = SmallCollection();

        var result = CliRunner.Run("similar", id, "--collection", collection);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"'{id}' is not a face id", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Int64", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void search_with_an_html_path_in_a_missing_folder_fails_before_searching_and_writes_nothing()
    {
        var collection = SmallCollection();
        var sheet = Path.Combine(_root, "no-such-folder", "sheet.html");

        var result = CliRunner.Run("search", TestData.LfwPhoto("Tony_Blair", 2), "--collection", collection, "--html", sheet);

        AssertOneLineFailure(result, "does not exist");
        Assert.Contains(Path.Combine(_root, "no-such-folder"), result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_root, "no-such-folder")));
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public void search_with_an_html_path_that_is_a_folder_says_so()
    {
        var collection = SmallCollection();

        var result = CliRunner.Run("search", TestData.LfwPhoto("Tony_Blair", 2), "--collection", collection, "--html", _root);

        AssertOneLineFailure(result, "is a folder");
    }

    private static void AssertOneLineFailure(CliRunner.Result result, string expected)
    {
        Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}: {result.Stderr}");
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("rvs: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", line, StringComparison.Ordinal);
    }

    /// <summary>The collection's files and their sizes and times: what "nothing changed" means for a folder.</summary>
    private static string Snapshot(string directory) => string.Join('\n', new DirectoryInfo(directory).EnumerateFiles()
        .OrderBy(f => f.Name, StringComparer.Ordinal).Select(f => $"{f.Name} {f.Length} {f.LastWriteTimeUtc:O}"));
}
