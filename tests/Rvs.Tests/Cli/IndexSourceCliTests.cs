using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.Versioning;
using Mono.Unix;
using Mono.Unix.Native;
using Rvs.Catalog;
using Rvs.Tests.Support;

namespace Rvs.Tests.Cli;

/// <summary>
/// `rvs index` over sources that once hung it, crashed it or lied about it, made at test time from LFW photos:
/// each run must end, say what is wrong with each bad entry, keep the good photos and change nothing else.
/// </summary>
public sealed class IndexSourceCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rvs-cli-source-").FullName;

    [Fact]
    public void index_survives_link_loops_a_fifo_dev_zero_and_a_dangling_link_and_names_each_problem()
    {
        var photos = Path.Combine(_root, "photos");
        Directory.CreateDirectory(photos);
        File.Copy(TestData.LfwPhoto("Tony_Blair", 1), Path.Combine(photos, "blair.jpg"));
        // Two names that are not UTF-8 once collapsed into one row; each is a different photo.
        CopyToRawName(TestData.LfwPhoto("Colin_Powell", 1), photos, [(byte)'p', 0xE9, (byte)'.', (byte)'j', (byte)'p', (byte)'g']);
        CopyToRawName(TestData.LfwPhoto("Colin_Powell", 2), photos, [(byte)'p', 0xEA, (byte)'.', (byte)'j', (byte)'p', (byte)'g']);
        File.CreateSymbolicLink(Path.Combine(photos, "loop-a.jpg"), "loop-b.jpg");
        File.CreateSymbolicLink(Path.Combine(photos, "loop-b.jpg"), "loop-a.jpg");
        Directory.CreateSymbolicLink(Path.Combine(photos, "again"), ".");
        Assert.Equal(0, Syscall.mkfifo(Path.Combine(photos, "pipe.jpg"), FilePermissions.DEFFILEMODE));
        File.CreateSymbolicLink(Path.Combine(photos, "zero.jpg"), "/dev/zero");
        File.CreateSymbolicLink(Path.Combine(photos, "gone.jpg"), "deleted.jpg");
        var collection = Path.Combine(_root, "collection");
        var before = Entries(photos);

        var run = CliRunner.Run("index", photos, "--collection", collection);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("3 indexed (3 faces)", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("5 unreadable", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("loop-a.jpg: a symbolic link loop", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("loop-b.jpg: a symbolic link loop", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("pipe.jpg: a named pipe (FIFO)", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("zero.jpg: a character device", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("gone.jpg: a dangling symbolic link: its target deleted.jpg does not exist", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("empty", run.Stderr, StringComparison.Ordinal);
        using (var faces = FaceCollection.Open(collection))
        {
            var prefix = photos.Replace('\\', '/') + "/";
            Assert.Equal(["blair.jpg", "p\uFFFDE9.jpg", "p\uFFFDEA.jpg"],
                faces.GetImages(ImageStatus.Indexed).Select(i => i.Path[prefix.Length..]).Order(StringComparer.Ordinal));
            Assert.Equal(5, faces.GetImages(ImageStatus.Unreadable).Count);
        }

        Assert.Equal(before, Entries(photos));
        Assert.Equal(FileTypes.Fifo, new UnixFileInfo(Path.Combine(photos, "pipe.jpg")).FileType);
    }

    [Fact]
    public void a_truncated_tgz_exits_non_zero_says_so_and_keeps_the_whole_photos_before_the_damage()
    {
        var people = new[] { "George_W_Bush", "Colin_Powell", "Tony_Blair", "Donald_Rumsfeld", "Gerhard_Schroeder", "Ariel_Sharon" };
        var archive = Path.Combine(_root, "people.tgz");
        using (var file = File.Create(archive))
        using (var gzip = new GZipStream(file, CompressionLevel.Optimal))
        using (var writer = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach (var person in people)
            {
                writer.WriteEntry(TestData.LfwPhoto(person, 1), $"people/{person}.jpg");
            }
        }

        var whole = File.ReadAllBytes(archive);
        File.WriteAllBytes(archive, whole[..(whole.Length * 2 / 3)]);
        var collection = Path.Combine(_root, "collection");

        var run = CliRunner.Run("index", archive, "--collection", collection);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("the archive is truncated", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("the photos before it are indexed", run.Stderr, StringComparison.Ordinal);
        int kept;
        using (var faces = FaceCollection.Open(collection))
        {
            var indexed = faces.GetImages(ImageStatus.Indexed);
            kept = indexed.Count;
            Assert.InRange(kept, 1, people.Length - 1);
            // Only whole photos: the one the archive ends inside is not indexed from half its bytes.
            Assert.All(indexed, i => Assert.Equal(new FileInfo(TestData.LfwPhoto(i.Entry[7..^4], 1)).Length, i.Size));
            Assert.Empty(faces.GetImages(ImageStatus.Unreadable));
        }

        // The download completed: the next run keeps what was indexed and adds only the rest.
        File.WriteAllBytes(archive, whole);
        var intact = CliRunner.Run("index", archive, "--collection", collection);
        Assert.Equal(0, intact.ExitCode);
        Assert.Contains($"{people.Length - kept} indexed", intact.Stderr, StringComparison.Ordinal);
        Assert.Contains($"{kept} already present", intact.Stderr, StringComparison.Ordinal);
    }

    [FactAsAnUnprivilegedUser]
    [SupportedOSPlatform("linux")]
    public void a_file_this_user_may_not_read_is_reported_as_permission_denied_not_as_empty()
    {
        var photos = Path.Combine(_root, "photos");
        var collection = Path.Combine(_root, "collection");
        Directory.CreateDirectory(photos);
        Directory.CreateDirectory(collection);
        File.Copy(TestData.LfwPhoto("Tony_Blair", 1), Path.Combine(photos, "open.jpg"));
        File.WriteAllText(Path.Combine(photos, "private.jpg"), "not for this user");
        const UnixFileMode everyone = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(_root, everyone);
        File.SetUnixFileMode(photos, everyone);
        File.SetUnixFileMode(Path.Combine(photos, "open.jpg"), everyone);
        File.SetUnixFileMode(collection, everyone | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite);
        File.SetUnixFileMode(Path.Combine(photos, "private.jpg"), UnixFileMode.None);

        // Root reads any file, so as root (CI) the run drops to the unprivileged user "nobody" (uid 65534).
        var cli = Path.Combine(AppContext.BaseDirectory, "Rvs.Cli.dll");
        var run = Syscall.geteuid() != 0
            ? CliRunner.Run("index", photos, "--collection", collection)
            : CliRunner.RunProgram("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "env", $"HOME={_root}",
                "dotnet", "exec", cli, "index", photos, "--collection", collection], _root, TimeSpan.FromMinutes(3));

        Assert.True(run.ExitCode == 0, $"rvs index exited {run.ExitCode} (as root the run needs {cli} readable by uid 65534): {run.Stderr}");
        Assert.Contains("1 indexed (1 faces)", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("private.jpg: permission denied: this user may not read it", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("empty", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(Path.Combine(photos, "private.jpg")));
    }

    public void Dispose() => new UnixDirectoryInfo(_root).Delete(recursive: true);

    private static string[] Entries(string folder) =>
        new UnixDirectoryInfo(folder).GetFileSystemEntries().Select(e => $"{e.Name} {e.FileType}").Order(StringComparer.Ordinal).ToArray();

    private static void CopyToRawName(string source, string folder, byte[] name)
    {
        // .NET writes every name as UTF-8; Mono.Unix's encoding carries the raw bytes through to open(2).
        using var target = new UnixFileInfo(folder + "/" + UnixEncoding.Instance.GetString(name)).Create();
        target.Write(File.ReadAllBytes(source));
    }
}

/// <summary>
/// A fact that, run as root, needs the unprivileged user "nobody" to reach the built CLI (every folder above it
/// searchable by others, the dll readable); where the checkout is private it is skipped, saying so, never passed.
/// </summary>
internal sealed class FactAsAnUnprivilegedUserAttribute : FactAttribute
{
    public FactAsAnUnprivilegedUserAttribute()
    {
        if (!OperatingSystem.IsLinux() || Syscall.geteuid() != 0)
        {
            return;
        }

        var cli = Path.Combine(AppContext.BaseDirectory, "Rvs.Cli.dll");
        var blocked = new List<string>();
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.GetUnixFileMode(dir.FullName).HasFlag(UnixFileMode.OtherExecute))
            {
                blocked.Add(dir.FullName);
            }
        }

        if (blocked.Count > 0 || !File.GetUnixFileMode(cli).HasFlag(UnixFileMode.OtherRead))
        {
            Skip = $"as root this test runs rvs as uid 65534, which cannot reach {cli} here (not searchable by others: {string.Join(", ", blocked)})";
        }
    }
}

