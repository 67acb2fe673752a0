using System.Reflection;
using Rvs.Tests.Support;

namespace Rvs.Tests.Cli;

/// <summary>
/// rvs as a .NET tool: `dotnet pack` makes the package, `dotnet tool install` puts it in a private tool path, and the
/// installed command runs from a folder outside the repository, so the models must come from inside the package.
/// </summary>
[Trait(TestTier.Name, TestTier.Full)]
public sealed class ToolPackageTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(10);

    private readonly string _root = Directory.CreateTempSubdirectory("rvs-tool-").FullName;

    [Fact]
    public void the_packed_tool_installs_into_a_tool_path_and_detects_faces_from_any_folder()
    {
        var packages = Path.Combine(_root, "packages");
        var tools = Path.Combine(_root, "tools");
        var elsewhere = Directory.CreateDirectory(Path.Combine(_root, "elsewhere")).FullName;

        var pack = CliRunner.RunProgram("dotnet",
            ["pack", Path.Combine(TestData.RepositoryRoot, "src", "Rvs.Cli"), "-c", "Release", "--nologo", "-v", "quiet", "-o", packages],
            TestData.RepositoryRoot, Patience);
        Assert.True(pack.ExitCode == 0, $"dotnet pack failed: {pack.Stdout}{pack.Stderr}");
        var version = typeof(Rvs.Cli.Commands.CliErrors).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        var install = CliRunner.RunProgram("dotnet",
            ["tool", "install", "rvs", "--version", version.Split('+')[0], "--tool-path", tools, "--add-source", packages],
            elsewhere, Patience);
        Assert.True(install.ExitCode == 0, $"dotnet tool install failed: {install.Stdout}{install.Stderr}");
        var rvs = Path.Combine(tools, "rvs");

        var shown = CliRunner.RunProgram(rvs, ["--version"], elsewhere, Patience);
        Assert.Equal(0, shown.ExitCode);
        Assert.Equal(version, shown.Stdout.Trim());

        var photo = TestData.LfwPhoto("Tony_Blair", 1);
        var detected = CliRunner.RunProgram(rvs, ["detect", photo, "--json"], elsewhere, Patience);
        Assert.True(detected.ExitCode == 0, detected.Stderr);
        // The same models as the build beside the tests, so exactly the same faces.
        Assert.Equal(CliRunner.Run("detect", photo, "--json").Stdout, detected.Stdout);
        Assert.Contains("\"landmarks\"", detected.Stdout, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
