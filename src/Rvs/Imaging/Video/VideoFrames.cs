using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Rvs.Errors;

namespace Rvs.Imaging.Video;

/// <summary>One frame sampled from a video: when it is shown, in seconds from the start, and the frame as a BMP file.</summary>
public sealed record VideoFrame(double TimeSeconds, byte[] Bmp);

/// <summary>ffmpeg is not there to read videos with; the message names the package that brings it.</summary>
public sealed class FfmpegMissingException(string message, Exception? inner = null) : RvsException(message, inner)
{
    public override ErrorCategory Category => ErrorCategory.UnsupportedInput;
}

/// <summary>
/// Samples the frames of a video through Debian's ffmpeg, run as a child process: a frame a second, plus every
/// scene change, each handed over as a BMP (which the photo decoder reads, so every frame goes through the photo
/// pipeline unchanged) with the time it is shown. The frames stream through a pipe one at a time, so memory stays
/// at a frame or two however long the video is; ffmpeg applies the rotation a phone records.
/// </summary>
public static partial class VideoFrames
{
    /// <summary>The environment variable naming the ffmpeg executable to run (default: "ffmpeg" on the PATH).</summary>
    public const string FfmpegVariable = "RVS_FFMPEG";

    public static readonly string[] Extensions = [".mp4", ".mov", ".m4v", ".mkv", ".webm"];

    /// <summary>
    /// ffmpeg's select filter: the first frame, then a frame once a second has passed since the last one taken, and
    /// any frame whose scene-change score is over 0.3 (ffmpeg's scene score is 0 for a still and 1 for a cut between
    /// unrelated pictures), so a person who is on screen for under a second between two samples is still seen.
    /// showinfo prints each selected frame's time, which is how the times are known.
    /// </summary>
    internal const string SampleFilter = @"select='isnan(prev_selected_t)+gte(t-prev_selected_t\,1)+gt(scene\,0.3)',showinfo";

    public static string DefaultFfmpeg => Environment.GetEnvironmentVariable(FfmpegVariable) is { Length: > 0 } path ? path : "ffmpeg";

    public static bool IsVideoPath(string path) => Extensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The sampled frames of <paramref name="videoFile"/>, in order. Throws <see cref="FfmpegMissingException"/> when
    /// <paramref name="ffmpeg"/> cannot be started, and <see cref="ImageDecodeException"/> when ffmpeg cannot read the
    /// file (after the frames it did read). Stopping early ends the ffmpeg process.
    /// </summary>
    public static IEnumerable<VideoFrame> Read(string videoFile, string ffmpeg)
    {
        var start = new ProcessStartInfo(ffmpeg)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["-hide_banner", "-nostdin", "-loglevel", "info", "-i", videoFile, "-map", "0:v:0",
                     "-an", "-sn", "-dn", "-vf", SampleFilter, "-fps_mode", "passthrough", "-f", "image2pipe", "-c:v", "bmp", "-"])
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new FfmpegMissingException(Missing(ffmpeg));
        }
        catch (Win32Exception e)
        {
            throw new FfmpegMissingException(Missing(ffmpeg), e);
        }

        return Frames(process, videoFile);
    }

    private static string Missing(string ffmpeg) =>
        $"videos need ffmpeg, which could not be started as '{ffmpeg}' (install it with: apt-get install ffmpeg)";

    private static IEnumerable<VideoFrame> Frames(Process process, string videoFile)
    {
        using var _ = process;
        using var times = new BlockingCollection<double>();
        var messages = new ConcurrentQueue<string>();
        var errors = Task.Run(() => ReadLog(process.StandardError, times, messages));
        var output = process.StandardOutput.BaseStream;
        var completed = false;
        try
        {
            while (ReadBmp(output) is { } bmp)
            {
                // showinfo logs a frame before it is encoded and written, so its time is there or on its way.
                if (!times.TryTake(out var time, TimeSpan.FromSeconds(30)))
                {
                    throw new ImageDecodeException($"ffmpeg gave a frame of {videoFile} without its time");
                }

                yield return new VideoFrame(time, bmp);
            }

            process.WaitForExit();
            completed = true;
            errors.Wait();
            if (process.ExitCode != 0)
            {
                var reason = messages.LastOrDefault(m => !m.StartsWith("frame=", StringComparison.Ordinal)) ?? $"exit code {process.ExitCode}";
                throw new ImageDecodeException($"ffmpeg could not read this video: {reason.Trim()}");
            }
        }
        finally
        {
            if (!completed && !process.HasExited)
            {
                process.Kill();
                process.WaitForExit();
            }

            // The log reader writes to times until ffmpeg's stderr closes; it must be done before times is disposed.
            errors.Wait();
        }
    }

    /// <summary>One BMP file from the pipe (its size is in its header), or null at the end of the stream.</summary>
    private static byte[]? ReadBmp(Stream output)
    {
        var header = new byte[6];
        var read = output.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (read == 0)
        {
            return null;
        }

        if (read < header.Length || header[0] != 'B' || header[1] != 'M')
        {
            throw new ImageDecodeException("ffmpeg's frame stream ended mid-frame or is not BMP");
        }

        var size = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(2));
        if (size <= header.Length || size > DecodeLimits.MaxWholeDecodePixels * 4L + 1024)
        {
            throw new ImageDecodeException(string.Create(CultureInfo.InvariantCulture, $"a {size:N0}-byte video frame is larger than a photo may be"));
        }

        var bmp = new byte[size];
        header.CopyTo(bmp, 0);
        if (output.ReadAtLeast(bmp.AsSpan(header.Length), size - header.Length, throwOnEndOfStream: false) < size - header.Length)
        {
            throw new ImageDecodeException("ffmpeg's frame stream ended mid-frame");
        }

        return bmp;
    }

    private static void ReadLog(StreamReader log, BlockingCollection<double> times, ConcurrentQueue<string> messages)
    {
        try
        {
            while (log.ReadLine() is { } line)
            {
                if (line.Contains("Parsed_showinfo", StringComparison.Ordinal))
                {
                    var match = PtsTime().Match(line);
                    if (match.Success)
                    {
                        times.Add(double.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture));
                    }
                }
                else
                {
                    messages.Enqueue(line);
                    while (messages.Count > 20)
                    {
                        messages.TryDequeue(out _);
                    }
                }
            }
        }
        finally
        {
            times.CompleteAdding();
        }
    }

    [GeneratedRegex(@"pts_time:\s*(-?[0-9.]+)")]
    private static partial Regex PtsTime();
}
