using Rvs.Imaging;

namespace Rvs.Cli.Commands;

/// <summary>
/// Turns the failures a user can cause (a missing file, an unreadable photo, a bad option) into one clear line
/// on stderr and a non-zero exit code, instead of a stack trace.
/// </summary>
internal static class CliErrors
{
    public const int Failure = 1;

    public static async Task<int> Run(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("rvs: cancelled");
            return 130;
        }
        catch (Exception e) when (e is ImageDecodeException or FileNotFoundException or DirectoryNotFoundException
                                       or ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"rvs: {e.Message}");
            return Failure;
        }
    }

    public static int Run(Func<int> action) => Run(() => Task.FromResult(action())).GetAwaiter().GetResult();
}
