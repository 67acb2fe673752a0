using System.Diagnostics;

namespace Rvs.Testing;

/// <summary>Runs a command-line tool that makes test files (ffmpeg, heif-enc) and returns its exit code and output.</summary>
public static class ToolRunner
{
    /// <summary>
    /// Runs <paramref name="tool"/> (found on PATH) with these arguments, each passed as one argument, and returns its
    /// exit code with standard output and error together. A missing tool throws <see cref="System.ComponentModel.Win32Exception"/>.
    /// </summary>
    public static (int Code, string Text) Run(string tool, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        // Both streams are drained at once, so a tool that fills one pipe never blocks on it.
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result + error);
    }
}
