using System.Globalization;

namespace Rvs.Tests.Support;

/// <summary>
/// Makes short videos at test time from LFW photos with Debian's ffmpeg (./test installs it: apt-get install ffmpeg):
/// each photo is held on screen for its number of seconds, one after the other.
/// </summary>
internal static class VideoMaker
{
    private static readonly Lazy<string?> Missing = new(FindMissing);

    /// <summary>Why videos cannot be made here, or null when ffmpeg works.</summary>
    public static string? WhyUnavailable => Missing.Value;

    /// <summary>
    /// Writes <paramref name="output"/> (H.264 for .mp4, VP8 for .webm) showing each photo for its seconds at 25
    /// frames a second; the photos must share one size (LFW's are 250×250).
    /// </summary>
    public static void Make(string output, params (string Photo, double Seconds)[] shots)
    {
        var arguments = new List<string> { "-hide_banner", "-nostdin", "-loglevel", "error", "-y" };
        foreach (var (photo, seconds) in shots)
        {
            arguments.AddRange(["-loop", "1", "-framerate", "25", "-t", seconds.ToString(CultureInfo.InvariantCulture), "-i", photo]);
        }

        var inputs = string.Concat(Enumerable.Range(0, shots.Length).Select(i => $"[{i}:v]"));
        arguments.AddRange(["-filter_complex", $"{inputs}concat=n={shots.Length}:v=1,format=yuv420p"]);
        arguments.AddRange(output.EndsWith(".webm", StringComparison.OrdinalIgnoreCase)
            ? ["-c:v", "libvpx", "-b:v", "1M", "-deadline", "realtime"]
            : ["-c:v", "libx264", "-preset", "veryfast", "-movflags", "+faststart"]);
        arguments.Add(output);
        var result = CliRunner.RunProgram("ffmpeg", arguments, Path.GetDirectoryName(Path.GetFullPath(output))!, TimeSpan.FromMinutes(2));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg could not make {output}: {result.Stderr}");
        }
    }

    private static string? FindMissing()
    {
        try
        {
            var result = CliRunner.RunProgram("ffmpeg", ["-hide_banner", "-encoders"], Path.GetTempPath(), TimeSpan.FromMinutes(1));
            return result.ExitCode == 0 && result.Stdout.Contains("libx264", StringComparison.Ordinal) && result.Stdout.Contains("libvpx", StringComparison.Ordinal)
                ? null
                : $"ffmpeg has no libx264 or no libvpx encoder: {result.Stderr}";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "ffmpeg is not installed, so no test video can be made (apt-get install ffmpeg; ./test installs it when run as root)";
        }
    }
}

/// <summary>A fact that is skipped, saying why, where ffmpeg cannot make test videos.</summary>
public sealed class FfmpegFactAttribute : FactAttribute
{
    public FfmpegFactAttribute()
    {
        if (VideoMaker.WhyUnavailable is { } why)
        {
            Skip = why;
        }
    }
}
