using Rvs.Testing;

namespace Rvs.Tests.Support;

/// <summary>
/// Makes HEIC and AVIF files at test time with libheif's heif-enc (Debian: apt-get install -y libheif-examples,
/// which brings the x265 and aom encoders).
/// </summary>
internal static class HeifEncoder
{
    private static readonly Lazy<string?> Missing = new(FindMissing);

    /// <summary>Why files cannot be made here, or null when heif-enc works.</summary>
    public static string? WhyUnavailable => Missing.Value;

    /// <summary>Encodes <paramref name="jpeg"/> to <paramref name="output"/>: AVIF when the name ends in .avif, else HEIC.</summary>
    public static void Encode(string jpeg, string output)
    {
        var avif = output.EndsWith(".avif", StringComparison.OrdinalIgnoreCase);
        var (code, text) = ToolRunner.Run("heif-enc", avif ? ["-A", "-q", "80", jpeg, "-o", output] : ["-q", "80", jpeg, "-o", output]);
        if (code != 0)
        {
            throw new InvalidOperationException($"heif-enc failed ({code}): {text}");
        }
    }

    private static string? FindMissing()
    {
        try
        {
            var (code, text) = ToolRunner.Run("heif-enc", ["--list-encoders"]);
            if (code != 0)
            {
                return $"heif-enc --list-encoders failed: {text}";
            }

            return text.Contains("HEIC encoders:\n-", StringComparison.Ordinal) && text.Contains("AVIF encoders:\n-", StringComparison.Ordinal)
                ? null
                : $"heif-enc has no HEIC or no AVIF encoder: {text}";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "heif-enc is not installed (apt-get install -y libheif-examples)";
        }
    }
}

/// <summary>A fact that is skipped, saying why, where heif-enc cannot make HEIC and AVIF files.</summary>
public sealed class HeifEncoderFactAttribute : FactAttribute
{
    public HeifEncoderFactAttribute()
    {
        if (HeifEncoder.WhyUnavailable is { } why)
        {
            Skip = why;
        }
    }
}
