using System.Diagnostics;

namespace Rvs.Testing;

/// <summary>
/// The PostgreSQL server the shared-catalog tests use: the one `./test` started and named in RVS_TEST_POSTGRES, or,
/// when a test run was started some other way (`dotnet test --filter …`), one this process starts through
/// tests/postgres-server and stops when it exits.
/// </summary>
public static class PostgresServer
{
    public const string Variable = "RVS_TEST_POSTGRES";

    public const string InstallLine = "tests/postgres-server install (as root: apt-get install postgresql)";

    private static readonly Lazy<string> Started = new(Start);

    /// <summary>
    /// Why no server can be had, or null: asked when tests are discovered, so it only looks (for the variable, or for
    /// the server binaries the script would start) and never starts anything.
    /// </summary>
    public static string? WhyUnavailable =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)) || ServerInstalled()
            ? null
            : $"PostgreSQL is not installed and {Variable} is not set; install it with {InstallLine}";

    /// <summary>The server's URI (postgresql://rvs@127.0.0.1:port/postgres), starting one on first use if needed.</summary>
    public static string Uri => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given ? given : Started.Value;

    private static bool ServerInstalled() =>
        Directory.Exists("/usr/lib/postgresql") && Directory.EnumerateFiles("/usr/lib/postgresql", "pg_ctl", SearchOption.AllDirectories).Any();

    private static string Start()
    {
        var folder = Directory.CreateTempSubdirectory("rvs-postgres-").FullName;
        var server = Path.Combine(folder, "server");
        var uri = Script("start", server);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Script("stop", server);
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"could not stop the test PostgreSQL server in {server}: {e.Message}");
            }
        };
        return uri;
    }

    private static string Script(string verb, string directory)
    {
        var root = RepositoryRoot.Find() ?? throw new InvalidOperationException("cannot find the repository root (Rvs.sln)");
        var psi = new ProcessStartInfo(Path.Combine(root, "tests", "postgres-server"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(verb);
        psi.ArgumentList.Add(directory);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not run tests/postgres-server");
        var stderr = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0
            ? output.Trim()
            : throw new InvalidOperationException($"tests/postgres-server {verb} failed: {stderr.Result.Trim()}");
    }
}
