using System.Diagnostics;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Mono.Unix.Native;
using Rvs.Tests.Support;

namespace Rvs.Tests.Cli;

/// <summary>
/// How the CLI treats a collection it may only read, an old catalog, a damaged saved index and Ctrl-C, through the
/// real command line and real processes.
/// </summary>
public sealed partial class CatalogAccessCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rvs-cli-access-").FullName;

    private string Photos => Path.Combine(_root, "photos");

    private string Collection => Path.Combine(_root, "collection");

    private string Catalog => Path.Combine(Collection, "catalog.db");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void a_truncated_hnsw_index_is_rebuilt_with_a_warning_and_every_command_answers_as_before_until_reindex_saves_a_sound_one()
    {
        Index(("Tony_Blair", 1), ("Tony_Blair", 2), ("Colin_Powell", 1), ("Colin_Powell", 2));
        Assert.Equal(0, CliRunner.Run("reindex", "--index", "hnsw", "--collection", Collection).ExitCode);
        var query = TestData.LfwPhoto("Tony_Blair", 3);
        var (searched, searchWarning) = TopFace("search", query);
        var (similar, similarWarning) = TopFace("similar", searched.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.False(searchWarning || similarWarning, "an intact index should load without a warning");

        var index = Path.Combine(Collection, "index.usearch");
        using (var file = File.OpenWrite(index))
        {
            file.SetLength(file.Length / 2);
        }

        Assert.Equal((searched, true), TopFace("search", query));
        Assert.Equal((similar, true), TopFace("similar", searched.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var stats = CliRunner.Run("stats", "--collection", Collection);
        Assert.Equal(0, stats.ExitCode);
        Assert.Contains("hnsw (", stats.Stdout, StringComparison.Ordinal);
        var reindex = CliRunner.Run("reindex", "--collection", Collection);
        Assert.True(reindex.ExitCode == 0, reindex.Stderr);
        Assert.Equal((searched, false), TopFace("search", query));
    }

    [Fact]
    public void a_read_only_command_refuses_to_upgrade_an_old_catalog_and_says_how_while_a_write_command_upgrades_it()
    {
        Index(("Tony_Blair", 1));
        Rvs.Tests.Catalog.CatalogScratch.RollBackTo(Collection, 1);

        var before = Hash(Catalog);
        var stats = CliRunner.Run("stats", "--collection", Collection);
        Assert.Equal(1, stats.ExitCode);
        Assert.Contains("needs an upgrade", stats.Stderr, StringComparison.Ordinal);
        Assert.Contains("rvs reindex", stats.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, Hash(Catalog));

        Assert.Equal(0, CliRunner.Run("reindex", "--collection", Collection).ExitCode);
        Assert.Equal(0, CliRunner.Run("stats", "--collection", Collection).ExitCode);
    }

    [FactAsAnUnprivilegedUser]
    [SupportedOSPlatform("linux")]
    public void stats_search_and_people_work_for_a_user_who_may_not_write_the_collection_and_change_nothing()
    {
        Index(("Tony_Blair", 1), ("Colin_Powell", 1));
        const UnixFileMode readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(_root, readable);
        File.SetUnixFileMode(Collection, readable);
        File.SetUnixFileMode(Catalog, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var query = Path.Combine(_root, "query.jpg");
        File.Copy(TestData.LfwPhoto("Tony_Blair", 2), query);
        File.SetUnixFileMode(query, UnixFileMode.UserRead | UnixFileMode.OtherRead);
        var before = Hash(Catalog);
        var files = Directory.GetFiles(Collection);

        var stats = RunAsAnotherUser("stats", "--collection", Collection, "--json");
        Assert.True(stats.ExitCode == 0, $"stats by another user exited {stats.ExitCode}: {stats.Stderr}");
        using (var json = JsonDocument.Parse(stats.Stdout))
        {
            Assert.Equal(2, json.RootElement.GetProperty("images").GetInt32());
        }

        var search = RunAsAnotherUser("search", query, "--collection", Collection, "--json", "-k", "1");
        Assert.True(search.ExitCode == 0, $"search by another user exited {search.ExitCode}: {search.Stderr}");
        using (var json = JsonDocument.Parse(search.Stdout))
        {
            Assert.EndsWith("Tony_Blair_0001.jpg", json.RootElement.GetProperty("hits")[0].GetProperty("path").GetString(), StringComparison.Ordinal);
        }

        var people = RunAsAnotherUser("people", "--collection", Collection, "--json");
        Assert.True(people.ExitCode == 0, $"people by another user exited {people.ExitCode}: {people.Stderr}");

        Assert.Equal(before, Hash(Catalog));
        Assert.Equal(files, Directory.GetFiles(Collection));
    }

    [Fact]
    [SupportedOSPlatform("linux")]
    public async Task ctrl_c_during_index_prints_what_was_done_exits_130_and_leaves_a_catalog_the_next_run_completes()
    {
        Directory.CreateDirectory(Photos);
        foreach (var person in Directory.EnumerateDirectories(TestData.Lfw).Order(StringComparer.Ordinal).Take(60))
        {
            var photo = Directory.EnumerateFiles(person, "*.jpg").Order(StringComparer.Ordinal).First();
            File.Copy(photo, Path.Combine(Photos, Path.GetFileName(photo)));
        }

        // env resets SIGINT to its default: a test host started in the background may pass it on ignored.
        var start = new ProcessStartInfo("env") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "--default-signal=INT", "dotnet", "exec", Path.Combine(AppContext.BaseDirectory, "Rvs.Cli.dll"), "index", Photos, "--collection", Collection, "--workers", "1" })
        {
            start.ArgumentList.Add(arg);
        }

        using var child = Process.Start(start)!;
        var stderr = child.StandardError.ReadToEndAsync();
        var stdout = child.StandardOutput.ReadToEndAsync();
        var waited = Stopwatch.StartNew();
        while (CommittedImages() < 3)
        {
            if (child.HasExited)
            {
                Assert.Fail("rvs index ended before it could be interrupted: " + await stderr);
            }

            Assert.True(waited.Elapsed < TimeSpan.FromMinutes(2), "rvs index committed no photos in 2 minutes");
            await Task.Delay(50);
        }

        Assert.Equal(0, Syscall.kill(child.Id, Signum.SIGINT));
        Assert.True(child.WaitForExit(TimeSpan.FromMinutes(1)), "rvs index did not stop within a minute of Ctrl-C");
        await stdout;
        var said = await stderr;

        Assert.True(child.ExitCode == 130, $"exit code {child.ExitCode}: {said}");
        var summary = StoppedLine().Match(said);
        Assert.True(summary.Success, "no summary line on stderr: " + said);
        var written = int.Parse(summary.Groups["indexed"].Value, System.Globalization.CultureInfo.InvariantCulture)
            + int.Parse(summary.Groups["noface"].Value, System.Globalization.CultureInfo.InvariantCulture)
            + int.Parse(summary.Groups["unreadable"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(written, 3, 59);
        Assert.Equal(written, CommittedImages());
        using (var connection = new SqliteConnection($"Data Source={Catalog};Pooling=False;Mode=ReadOnly"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", command.ExecuteScalar());
        }

        var resumed = CliRunner.Run("index", Photos, "--collection", Collection);
        Assert.Equal(0, resumed.ExitCode);
        Assert.Contains($"{written} already present", resumed.Stderr, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"stopped early .*: (?<indexed>\d+) indexed \(\d+ faces\), \d+ already present, (?<noface>\d+) without a face, (?<unreadable>\d+) unreadable")]
    private static partial Regex StoppedLine();

    private void Index(params (string Person, int Number)[] photos)
    {
        Directory.CreateDirectory(Photos);
        foreach (var (person, number) in photos)
        {
            File.Copy(TestData.LfwPhoto(person, number), Path.Combine(Photos, Path.GetFileName(TestData.LfwPhoto(person, number))));
        }

        var run = CliRunner.Run("index", Photos, "--collection", Collection);
        Assert.True(run.ExitCode == 0, run.Stderr);
    }

    // The top hit's face id, and whether the command warned about the saved index.
    private (long FaceId, bool Warned) TopFace(string verb, string what)
    {
        var run = CliRunner.Run(verb, what, "--collection", Collection, "--json", "-k", "1");
        Assert.True(run.ExitCode == 0, $"{verb} exited {run.ExitCode}: {run.Stderr}");
        using var json = JsonDocument.Parse(run.Stdout);
        return (json.RootElement.GetProperty("hits")[0].GetProperty("face_id").GetInt64(), run.Stderr.Contains("warning: the saved hnsw index", StringComparison.Ordinal));
    }

    private long CommittedImages()
    {
        if (!File.Exists(Catalog))
        {
            return 0;
        }

        try
        {
            using var connection = new SqliteConnection($"Data Source={Catalog};Pooling=False;Mode=ReadOnly");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM images";
            return (long)command.ExecuteScalar()!;
        }
        catch (SqliteException)
        {
            return 0; // created but not yet holding its tables
        }
    }

    // Root writes anything, so as root the command runs as "nobody" (uid 65534), who may read but not write here.
    private CliRunner.Result RunAsAnotherUser(params string[] args) =>
        Syscall.geteuid() != 0
            ? CliRunner.Run(args)
            : CliRunner.RunProgram("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "env", $"HOME={_root}",
                "dotnet", "exec", Path.Combine(AppContext.BaseDirectory, "Rvs.Cli.dll"), .. args], _root, TimeSpan.FromMinutes(3));

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
}
