using System.Diagnostics;

namespace Rvs.Tests.Support;

/// <summary>Runs the real `rvs` command line (Rvs.Cli.dll beside the tests), or another program, as a child process.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(params string[] args) =>
        RunProgram("dotnet", RvsArguments(args), TestData.RepositoryRoot, TimeSpan.FromMinutes(3));

    /// <summary>What `dotnet` is given to run `rvs <paramref name="args"/>` from the build beside the tests.</summary>
    public static string[] RvsArguments(IEnumerable<string> args) => ["exec", Path.Combine(AppContext.BaseDirectory, "Rvs.Cli.dll"), .. args];

    /// <summary>Runs <paramref name="program"/> to the end; past <paramref name="timeout"/> it is killed and the test fails.</summary>
    public static Result RunProgram(string program, IEnumerable<string> args, string workingDirectory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} did not finish in {timeout}");
        }

        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
