namespace Rvs.Bench;

/// <summary>Latency percentiles, computed one way for every benchmark (nearest rank, so a reported p99 is a real sample).</summary>
internal static class Percentiles
{
    /// <summary>The <paramref name="percent"/>th percentile of <paramref name="values"/> by the nearest-rank method.</summary>
    public static double Of(IEnumerable<double> values, double percent)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(percent / 100 * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }
}
