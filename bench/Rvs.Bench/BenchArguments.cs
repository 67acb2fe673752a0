using System.Globalization;

namespace Rvs.Bench;

/// <summary>`--name value` options of the plain benchmark harnesses.</summary>
internal static class BenchArguments
{
    public static string? Value(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>--lfw, else the shared copy beside the repository.</summary>
    public static string Lfw(string[] args) => Value(args, "--lfw") ?? Rvs.Sources.LfwLocator.SharedArchive;

    public static int Int(string[] args, string name, int fallback) =>
        Value(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
