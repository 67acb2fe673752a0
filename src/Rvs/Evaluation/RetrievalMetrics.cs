using System.Numerics.Tensors;
using Rvs.Index;

namespace Rvs.Evaluation;

/// <summary>
/// The <paramref name="k"/> gallery rows nearest to gallery row <paramref name="queryIndex"/>, nearest first.
/// The query itself may be among them (an approximate index usually returns it first); the evaluator drops it.
/// Called from several threads at once.
/// </summary>
public delegate IReadOnlyList<int> NeighbourSearch(int queryIndex, int k);

/// <summary>Retrieval figures averaged over the queries (fractions in [0, 1]).</summary>
public sealed record RetrievalScores(double Rank1, double Hit20, double Precision20, double Map20, int Queries);

/// <summary>The figures of one query; see <see cref="RetrievalMetrics.ScoreQuery"/>.</summary>
public sealed record QueryScore(bool Rank1, bool Hit, double Precision, double AveragePrecision);

/// <summary>
/// "Find the 20 most similar faces", measured: every image is in the gallery, every image whose person has at least
/// one other image is a query, and the query is never its own result.
/// </summary>
public static class RetrievalMetrics
{
    public const int K = 20;

    // Each gallery row is read once per block of queries rather than once per query, so the 27 MB gallery of
    // LFW at 512 dimensions streams from memory ~16 times less often.
    private const int QueryBlock = 16;

    public static RetrievalScores Evaluate(EmbeddingSet set, NeighbourSearch? search = null) =>
        Evaluate(set.Vectors, set.Dimensions, set.Labels(), search);

    /// <param name="vectors">labels.Count rows of <paramref name="dimensions"/> unit-length floats.</param>
    /// <param name="dimensions">Floats per row.</param>
    /// <param name="labels">The person of each row.</param>
    /// <param name="search">Null for exact brute-force search; otherwise e.g. an approximate index under test.</param>
    public static RetrievalScores Evaluate(float[] vectors, int dimensions, IReadOnlyList<string> labels, NeighbourSearch? search = null)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(labels);
        if (vectors.Length != (long)labels.Count * dimensions)
        {
            throw new ArgumentException($"expected {labels.Count} x {dimensions} floats, got {vectors.Length}", nameof(vectors));
        }

        var imagesOf = labels.GroupBy(label => label, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var queries = Enumerable.Range(0, labels.Count).Where(i => imagesOf[labels[i]] >= 2).ToArray();
        if (queries.Length == 0)
        {
            return new RetrievalScores(0, 0, 0, 0, 0);
        }

        var results = new IReadOnlyList<int>[queries.Length];
        if (search is null)
        {
            var exact = ExactNeighbours(vectors, dimensions, queries, K);
            for (var i = 0; i < queries.Length; i++)
            {
                results[i] = exact[i];
            }
        }
        else
        {
            Parallel.For(0, queries.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
            {
                var q = queries[i];
                results[i] = search(q, K + 1).Where(g => g != q).Take(K).ToArray();
            });
        }

        double rank1 = 0, hit = 0, precision = 0, map = 0;
        for (var i = 0; i < queries.Length; i++)
        {
            var label = labels[queries[i]];
            var same = results[i].Select(g => string.Equals(labels[g], label, StringComparison.Ordinal)).ToArray();
            var score = ScoreQuery(same, imagesOf[label] - 1);
            rank1 += score.Rank1 ? 1 : 0;
            hit += score.Hit ? 1 : 0;
            precision += score.Precision;
            map += score.AveragePrecision;
        }

        var n = (double)queries.Length;
        return new RetrievalScores(rank1 / n, hit / n, precision / n, map / n, queries.Length);
    }

    /// <summary>
    /// Scores one query from its ranked results (true where a result shows the query's person; only the first
    /// <see cref="K"/> count) and <paramref name="findable"/>, the number of other images of that person.
    /// Precision and average precision are divided by min(K, findable), so 1.0 means nothing findable was missed.
    /// </summary>
    public static QueryScore ScoreQuery(IReadOnlyList<bool> sameAtRank, int findable)
    {
        ArgumentNullException.ThrowIfNull(sameAtRank);
        ArgumentOutOfRangeException.ThrowIfLessThan(findable, 1);
        var denominator = Math.Min(K, findable);
        var hits = 0;
        var precisionSum = 0.0;
        for (var r = 0; r < Math.Min(K, sameAtRank.Count); r++)
        {
            if (sameAtRank[r])
            {
                hits++;
                precisionSum += (double)hits / (r + 1);
            }
        }

        return new QueryScore(sameAtRank.Count > 0 && sameAtRank[0], hits > 0, (double)hits / denominator, precisionSum / denominator);
    }

    /// <summary>Exact search for single queries, excluding the query itself; for callers that want the delegate shape.</summary>
    public static NeighbourSearch ExactSearch(float[] vectors, int dimensions) =>
        (queryIndex, k) => ExactNeighbours(vectors, dimensions, [queryIndex], k)[0];

    /// <summary>
    /// For each query row, the <paramref name="k"/> other rows with the largest dot product (smallest L2 distance
    /// between unit vectors), nearest first, ties to the smaller row index. Runs on all cores.
    /// </summary>
    public static int[][] ExactNeighbours(float[] vectors, int dimensions, IReadOnlyList<int> queries, int k)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var rows = vectors.Length / dimensions;
        var results = new int[queries.Count][];
        var blocks = (queries.Count + QueryBlock - 1) / QueryBlock;
        Parallel.For(
            0,
            blocks,
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            () => new float[QueryBlock * rows],
            (block, _, scores) =>
            {
                var first = block * QueryBlock;
                var count = Math.Min(QueryBlock, queries.Count - first);
                for (var g = 0; g < rows; g++)
                {
                    var row = vectors.AsSpan(g * dimensions, dimensions);
                    for (var b = 0; b < count; b++)
                    {
                        scores[b * rows + g] = TensorPrimitives.Dot(vectors.AsSpan(queries[first + b] * dimensions, dimensions), row);
                    }
                }

                for (var b = 0; b < count; b++)
                {
                    results[first + b] = Nearest(scores.AsSpan(b * rows, rows), queries[first + b], k);
                }

                return scores;
            },
            _ => { });
        return results;
    }

    /// <summary>The k rows with the largest scores, <paramref name="exclude"/> left out, best first, ties to the smaller row.</summary>
    private static int[] Nearest(ReadOnlySpan<float> scores, int exclude, int k)
    {
        var size = Math.Min(k, scores.Length - (exclude >= 0 && exclude < scores.Length ? 1 : 0));
        if (size <= 0)
        {
            return [];
        }

        var best = new TopK(size);
        for (var g = 0; g < scores.Length; g++)
        {
            // The threshold test rejects most rows of a scan with one comparison.
            if (g != exclude && scores[g] >= best.Threshold)
            {
                best.Offer(g, scores[g]);
            }
        }

        return [.. best.ToHits().Select(hit => (int)hit.Id)];
    }
}
