namespace Rvs.Evaluation;

/// <summary>
/// One open-set search reduced to what the protocol needs: the distance of its top hit, whether the query's person is
/// in the gallery at all (mated) and, if so, whether the top hit shows that person.
/// </summary>
public readonly record struct OpenSetQuery(double TopDistance, bool Mated, bool TopIsMate);

/// <summary>The two error rates at one threshold; a query is answered "match" when its top hit is closer than it.</summary>
public sealed record OpenSetRates(double Threshold, double Fpir, double Fnir);

/// <summary>
/// The error rates of EVALUATION.md's open-set protocol. FPIR(t): share of non-mated queries whose top hit is closer
/// than t (strangers called someone). FNIR(t): share of mated queries not answered "match" with the right person at
/// rank 1 (a wrong person at rank 1 under t counts as a miss, not as a success).
/// </summary>
public static class OpenSetMetrics
{
    public static OpenSetRates At(IReadOnlyCollection<OpenSetQuery> queries, double threshold)
    {
        ArgumentNullException.ThrowIfNull(queries);
        int mated = 0, nonMated = 0, falsePositives = 0, falseNegatives = 0;
        foreach (var q in queries)
        {
            var match = q.TopDistance < threshold;
            if (q.Mated)
            {
                mated++;
                falseNegatives += match && q.TopIsMate ? 0 : 1;
            }
            else
            {
                nonMated++;
                falsePositives += match ? 1 : 0;
            }
        }

        return new OpenSetRates(threshold, Share(falsePositives, nonMated), Share(falseNegatives, mated));
    }

    /// <summary>
    /// The rates at the loosest threshold whose FPIR does not exceed <paramref name="fpir"/>, read off the
    /// non-mated top-hit distances: the best FNIR any threshold can reach at that FPIR (an oracle, not a calibration).
    /// With n non-mated queries at most ⌊fpir·n⌋ may fall under it, so the threshold is the next distance up.
    /// </summary>
    public static OpenSetRates AtFpir(IReadOnlyCollection<OpenSetQuery> queries, double fpir)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentOutOfRangeException.ThrowIfNegative(fpir);
        var strangers = queries.Where(q => !q.Mated).Select(q => q.TopDistance).Order().ToArray();
        if (strangers.Length == 0)
        {
            throw new ArgumentException("no non-mated queries to read a threshold off", nameof(queries));
        }

        var allowed = (int)Math.Floor(fpir * strangers.Length + 1e-9);
        var threshold = allowed >= strangers.Length ? double.PositiveInfinity : strangers[allowed];
        return At(queries, threshold);
    }

    /// <summary>
    /// The detection-error trade-off: the rates at every threshold where one of them changes (each distinct
    /// top-hit distance, the threshold set just above it), from strictest to loosest.
    /// </summary>
    public static IReadOnlyList<OpenSetRates> DetCurve(IReadOnlyCollection<OpenSetQuery> queries)
    {
        ArgumentNullException.ThrowIfNull(queries);
        var sorted = queries.OrderBy(q => q.TopDistance).ToArray();
        var mated = sorted.Count(q => q.Mated);
        var nonMated = sorted.Length - mated;
        var falsePositives = 0;
        var falseNegatives = mated;
        var curve = new List<OpenSetRates> { new(sorted.Length > 0 ? sorted[0].TopDistance : 0, 0, Share(mated, mated)) };
        for (var i = 0; i < sorted.Length;)
        {
            var distance = sorted[i].TopDistance;
            for (; i < sorted.Length && sorted[i].TopDistance == distance; i++)
            {
                if (!sorted[i].Mated)
                {
                    falsePositives++;
                }
                else if (sorted[i].TopIsMate)
                {
                    falseNegatives--;
                }
            }

            var threshold = i < sorted.Length ? (distance + sorted[i].TopDistance) / 2 : double.PositiveInfinity;
            curve.Add(new OpenSetRates(threshold, Share(falsePositives, nonMated), Share(falseNegatives, mated)));
        }

        return curve;
    }

    private static double Share(int count, int of) => of == 0 ? 0 : (double)count / of;
}
