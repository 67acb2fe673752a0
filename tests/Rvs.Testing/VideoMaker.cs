using System.ComponentModel;
using System.Globalization;

namespace Rvs.Testing;

/// <summary>
/// Makes videos at test and bench time from photos with Debian's ffmpeg (./test installs it: apt-get install ffmpeg):
/// each photo is held on screen for its seconds, one after the other, at 25 frames a second.
/// </summary>
public static class VideoMaker
{
    private static readonly Lazy<string?> Missing = new(FindMissing);

    /// <summary>Why videos cannot be made here, or null when ffmpeg works.</summary>
    public static string? WhyUnavailable => Missing.Value;

    /// <summary>
    /// Writes <paramref name="output"/> (H.264 for .mp4, VP8 for .webm), each photo scaled and padded to
    /// <paramref name="width"/>×<paramref name="height"/> (0: the photos' own size, which they must then share).
    /// </summary>
    public static void Make(string output, IReadOnlyList<(string Photo, double Seconds)> shots, int width = 0, int height = 0)
    {
        var arguments = new List<string> { "-hide_banner", "-nostdin", "-loglevel", "error", "-y" };
        foreach (var (photo, seconds) in shots)
        {
            arguments.AddRange(["-loop", "1", "-framerate", "25", "-t", seconds.ToString(CultureInfo.InvariantCulture), "-i", photo]);
        }

        var fit = width > 0
            ? string.Create(CultureInfo.InvariantCulture, $"scale={width}:{height}:force_original_aspect_ratio=decrease,pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,setsar=1")
            : "null";
        var inputs = string.Concat(Enumerable.Range(0, shots.Count).Select(i => string.Create(CultureInfo.InvariantCulture, $"[{i}:v]{fit}[v{i}];")));
        var concat = string.Concat(Enumerable.Range(0, shots.Count).Select(i => string.Create(CultureInfo.InvariantCulture, $"[v{i}]")));
        arguments.AddRange(["-filter_complex", string.Create(CultureInfo.InvariantCulture, $"{inputs}{concat}concat=n={shots.Count}:v=1,format=yuv420p")]);
        arguments.AddRange(output.EndsWith(".webm", StringComparison.OrdinalIgnoreCase)
            ? ["-c:v", "libvpx", "-b:v", "1M", "-deadline", "realtime"]
            : ["-c:v", "libx264", "-preset", "veryfast", "-movflags", "+faststart"]);
        arguments.Add(output);
        var (code, text) = ToolRunner.Run("ffmpeg", arguments);
        if (code != 0)
        {
            throw new InvalidOperationException($"ffmpeg could not make {output}: {text}");
        }
    }

    private static string? FindMissing()
    {
        try
        {
            var (code, text) = ToolRunner.Run("ffmpeg", ["-hide_banner", "-encoders"]);
            return code == 0 && text.Contains("libx264", StringComparison.Ordinal) && text.Contains("libvpx", StringComparison.Ordinal)
                ? null
                : $"ffmpeg has no libx264 or no libvpx encoder: {text}";
        }
        catch (Win32Exception)
        {
            return "ffmpeg is not installed, so no test video can be made (apt-get install ffmpeg; ./test installs it when run as root)";
        }
    }
}
