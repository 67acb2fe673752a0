using System.Formats.Tar;
using System.IO.Compression;

namespace Rvs.Tests.Support;

/// <summary>
/// Test inputs derived from ../shared/data at test time (LFW is never copied into the repository): the archive is
/// extracted once into a cache folder shared by all test runs on the machine.
/// </summary>
internal static class TestData
{
    private static readonly Lazy<string> LfwFolder = new(ExtractLfw);

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string SharedData => Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data"));

    public static string LfwArchive => Path.Combine(SharedData, "lfw.tgz");

    public static string PairsFile => Path.Combine(SharedData, "pairs.txt");

    /// <summary>The extracted LFW root (holding one folder per person).</summary>
    public static string Lfw => LfwFolder.Value;

    public static string LfwPhoto(string person, int number) =>
        Path.Combine(Lfw, person, $"{person}_{number:0000}.jpg");

    public static string CacheFolder(string name)
    {
        var root = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        var folder = Path.Combine(root, "rvs-tests", name);
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static string ExtractLfw()
    {
        if (!File.Exists(LfwArchive))
        {
            throw new FileNotFoundException($"LFW is expected at {LfwArchive} (see the README's data section)");
        }

        var cache = CacheFolder("lfw");
        var root = Path.Combine(cache, "lfw");
        var done = Path.Combine(cache, ".complete");
        if (File.Exists(done))
        {
            return root;
        }

        // Extract into a scratch folder and rename, so a run killed half-way never leaves a partial copy behind.
        var scratch = Path.Combine(cache, $".extract-{Environment.ProcessId}");
        if (Directory.Exists(scratch))
        {
            Directory.Delete(scratch, recursive: true);
        }

        Directory.CreateDirectory(scratch);
        using (var file = File.OpenRead(LfwArchive))
        using (var gzip = new GZipStream(file, CompressionMode.Decompress))
        {
            TarFile.ExtractToDirectory(gzip, scratch, overwriteFiles: true);
        }

        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        Directory.Move(Path.Combine(scratch, "lfw"), root);
        Directory.Delete(scratch, recursive: true);
        File.WriteAllText(done, DateTime.UtcNow.ToString("O"));
        return root;
    }

    private static string FindRepositoryRoot() => Rvs.RepositoryRoot.Find()
        ?? throw new InvalidOperationException("cannot find the repository root (Rvs.sln) above " + AppContext.BaseDirectory);
}
