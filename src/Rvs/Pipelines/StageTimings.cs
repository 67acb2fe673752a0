using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Rvs.Pipelines;

/// <summary>The steps of turning a photo into vectors, in data-flow order, as <see cref="StageTimings"/> reports them.</summary>
public enum PipelineStage
{
    Decode,
    FinerDecode,
    Pyramid,
    PNet,
    RNet,
    ONet,
    Align,
    Embed,
}

/// <summary>
/// Where pipeline time goes, summed over all threads. Off unless a benchmark sets <see cref="Current"/>; when off,
/// each stage pays one null check. On Linux each stage is timed in the CPU time of the thread running it, so a
/// machine busy with other work does not inflate the figures (elapsed time elsewhere).
/// </summary>
public sealed partial class StageTimings
{
    private const int ClockThreadCpuTime = 3;

    private static readonly bool HasThreadClock = OperatingSystem.IsLinux() && ClockGetTime(ClockThreadCpuTime, out _) == 0;

    private readonly long[] _nanoseconds = new long[Enum.GetValues<PipelineStage>().Length];

    /// <summary>The process-wide collector, or null when nothing is measuring.</summary>
    public static StageTimings? Current { get; set; }

    /// <summary>Whether the stages are timed in thread CPU time (else in elapsed time).</summary>
    public static bool InCpuTime => HasThreadClock;

    public static long Start() => Current is null ? 0 : Now();

    public static void Stop(PipelineStage stage, long start)
    {
        if (start != 0 && Current is { } timings)
        {
            Interlocked.Add(ref timings._nanoseconds[(int)stage], Now() - start);
        }
    }

    /// <summary>Time spent in <paramref name="stage"/> so far, summed over threads.</summary>
    public TimeSpan this[PipelineStage stage] => TimeSpan.FromTicks(Interlocked.Read(ref _nanoseconds[(int)stage]) / 100);

    private static long Now()
    {
        if (!HasThreadClock)
        {
            return (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency));
        }

        ClockGetTime(ClockThreadCpuTime, out var time);
        return Math.Max(1, time.Seconds * 1_000_000_000 + time.Nanoseconds);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);
}
