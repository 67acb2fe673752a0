using System.Diagnostics;

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
/// each stage pays one null check.
/// </summary>
public sealed class StageTimings
{
    private readonly long[] _ticks = new long[Enum.GetValues<PipelineStage>().Length];

    /// <summary>The process-wide collector, or null when nothing is measuring.</summary>
    public static StageTimings? Current { get; set; }

    public static long Start() => Current is null ? 0 : Stopwatch.GetTimestamp();

    public static void Stop(PipelineStage stage, long start)
    {
        if (start != 0 && Current is { } timings)
        {
            Interlocked.Add(ref timings._ticks[(int)stage], Stopwatch.GetTimestamp() - start);
        }
    }

    /// <summary>CPU-thread time spent in <paramref name="stage"/> so far.</summary>
    public TimeSpan this[PipelineStage stage] => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _ticks[(int)stage]));
}
