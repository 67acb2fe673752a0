using System.Text.Json;
using System.Text.Json.Nodes;
using Rvs.Errors;

namespace Rvs.Cli.Commands;

/// <summary>
/// The one place failures become exit codes. A user-facing <see cref="RvsException"/> is one line on stderr and the
/// exit code of its category; anything else is a bug in rvs, said so, with the exception's type to report.
/// </summary>
internal static class CliErrors
{
    /// <summary>The user asked for something that cannot be done (bad input, no face, missing file, damaged collection).</summary>
    public const int Failure = 1;

    /// <summary>The vector back end (e.g. a Garnet shard) could not answer: try again once it is back.</summary>
    public const int Unavailable = 3;

    /// <summary>A bug: an exception rvs did not expect (sysexits' EX_SOFTWARE).</summary>
    public const int Bug = 70;

    public const int Cancelled = 130;

    /// <summary>
    /// Set when the command line asks for --json: a failure then also prints exactly one JSON object on stdout
    /// (<c>{"error": …, "category": …}</c>), so a script reading stdout always gets one object.
    /// </summary>
    public static bool Json { get; set; }

    public static int ExitCode(ErrorCategory category) => category switch
    {
        ErrorCategory.IndexUnavailable => Unavailable,
        _ => Failure,
    };

    public static async Task<int> Run(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (OperationCanceledException)
        {
            return Report("cancelled", "cancelled", Cancelled);
        }
        catch (RvsException e)
        {
            return Report(e.Message, JsonNamingPolicy.SnakeCaseLower.ConvertName(e.Category.ToString()), ExitCode(e.Category));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The file system refused (disk full, permissions): the user can act on its message.
            return Report(e.Message, "file_system", Failure);
        }
        catch (Exception e)
        {
            return Report($"internal error (a bug in rvs, please report it): {e.GetType().Name}: {e.Message}", "bug", Bug);
        }
    }

    private static int Report(string message, string category, int exitCode)
    {
        Console.Error.WriteLine($"rvs: {message}");
        if (Json)
        {
            JsonOutput.Print(new JsonObject { ["error"] = message, ["category"] = category, ["exit_code"] = exitCode });
        }

        return exitCode;
    }

    public static int Run(Func<int> action) => Run(() => Task.FromResult(action())).GetAwaiter().GetResult();
}
