namespace Rvs.Evaluation;

/// <summary>Clustering figures against true labels (what results.json reports under "clustering").</summary>
public sealed record ClusteringScores(
    double PairwisePrecision,
    double PairwiseRecall,
    double PairwiseF,
    double BCubedPrecision,
    double BCubedRecall,
    double BCubedF,
    double MixedClusterShare,
    int Clusters,
    int Items);

/// <summary>
/// Pairwise and BCubed precision/recall/F of a clustering, and the share of clusters holding more than one
/// identity. Pairwise counts pairs of items: a pair is predicted when both share a cluster and true when both share
/// a label, so large identities dominate it. BCubed averages, per item, the share of its cluster with its label
/// (precision) and the share of its label in its cluster (recall), so every photo counts once.
/// </summary>
public static class ClusteringMetrics
{
    /// <param name="clusterOf">The cluster of each item (any integers; equal means same cluster).</param>
    /// <param name="labels">The true identity of each item.</param>
    public static ClusteringScores Score(IReadOnlyList<long> clusterOf, IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(clusterOf);
        ArgumentNullException.ThrowIfNull(labels);
        if (clusterOf.Count != labels.Count)
        {
            throw new ArgumentException($"{clusterOf.Count} cluster ids but {labels.Count} labels");
        }

        if (labels.Count == 0)
        {
            throw new ArgumentException("no items to score", nameof(labels));
        }

        var clusterSize = Count(clusterOf);
        var labelSize = Count(labels);
        var cellSize = Count(clusterOf.Select((c, i) => (c, labels[i])).ToList());

        // Pairwise: pairs inside cells are the true positives.
        static double Pairs(long n) => n * (n - 1) / 2.0;
        var truePositive = cellSize.Values.Sum(n => Pairs(n));
        var predicted = clusterSize.Values.Sum(n => Pairs(n));
        var actual = labelSize.Values.Sum(n => Pairs(n));

        // A clustering that pairs nothing makes no false pair: precision 1 by convention; likewise recall 1 when
        // no two items share a label.
        var pairwisePrecision = predicted == 0 ? 1 : truePositive / predicted;
        var pairwiseRecall = actual == 0 ? 1 : truePositive / actual;

        double bcubedPrecision = 0, bcubedRecall = 0;
        for (var i = 0; i < labels.Count; i++)
        {
            double cell = cellSize[(clusterOf[i], labels[i])];
            bcubedPrecision += cell / clusterSize[clusterOf[i]];
            bcubedRecall += cell / labelSize[labels[i]];
        }

        bcubedPrecision /= labels.Count;
        bcubedRecall /= labels.Count;
        var mixed = cellSize.Keys.GroupBy(k => k.Item1).Count(g => g.Count() > 1);
        return new ClusteringScores(
            pairwisePrecision,
            pairwiseRecall,
            F(pairwisePrecision, pairwiseRecall),
            bcubedPrecision,
            bcubedRecall,
            F(bcubedPrecision, bcubedRecall),
            (double)mixed / clusterSize.Count,
            clusterSize.Count,
            labels.Count);
    }

    private static double F(double precision, double recall) => precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);

    private static Dictionary<T, long> Count<T>(IEnumerable<T> items)
        where T : notnull
    {
        var counts = new Dictionary<T, long>();
        foreach (var item in items)
        {
            counts[item] = counts.GetValueOrDefault(item) + 1;
        }

        return counts;
    }
}
