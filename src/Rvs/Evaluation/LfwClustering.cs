using System.Diagnostics;
using Rvs.Index;
using Rvs.People;

namespace Rvs.Evaluation;

/// <summary>What `rvs eval --clustering` measured on one embedded LFW.</summary>
/// <param name="Full">Every image clustered in one run.</param>
/// <param name="Incremental">All but the held-out images clustered, then those added one at a time.</param>
/// <param name="DbscanBaseline">Immich's DBSCAN-style rule on the same embeddings and neighbours (<see cref="Evaluation.DbscanBaseline"/>).</param>
/// <param name="ClusterSeconds">Wall time of the full run (neighbour searches included, index build not).</param>
/// <param name="AddMedianMilliseconds">Median time to add one face to the clustered collection (index insert + placement).</param>
/// <param name="IncrementalAgreement">Pairwise F of the incremental grouping scored against the full run's grouping.</param>
public sealed record ClusteringEvaluation(
    ClusteringScores Full,
    ClusteringScores Incremental,
    ClusteringScores DbscanBaseline,
    double IndexBuildSeconds,
    double ClusterSeconds,
    double AddMedianMilliseconds,
    double AddMaxMilliseconds,
    int Added,
    double IncrementalAgreement,
    string IndexKind,
    ClusteringOptions Options);

/// <summary>
/// Clusters LFW with every image in the collection, one face per image (<see cref="LfwEvaluation.EmbedOne"/>), and
/// scores it against LFW's names. Images whose face was not detected (central-crop fallback) are the low-quality
/// faces: they may join a person but not found one; an image in no reported person counts as a cluster of its own.
/// </summary>
public static class LfwClustering
{
    /// <summary>Every this-many-th image (by key order) is held out of the first run and added afterwards.</summary>
    public const int HeldOutEvery = 50;

    public static ClusteringEvaluation Evaluate(EmbeddingSet set, ClusteringOptions options, string indexKind = VectorBackEnds.Auto)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(options);
        var labels = set.Labels();
        var faces = Enumerable.Range(0, set.Count).Select(i => new ClusterFace(i, set.DetectionFailed[i])).ToArray();
        float[] EmbeddingOf(long id) => set.Row((int)id).ToArray();

        var clock = Stopwatch.StartNew();
        using var index = VectorBackEnds.CreateEmbedded(set.Dimensions, set.Count, indexKind);
        index.Add([.. faces.Select(f => f.Id)], set.Vectors);
        var buildSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var full = new FaceClustering(options, index, EmbeddingOf).Cluster(faces);
        var clusterSeconds = clock.Elapsed.TotalSeconds;
        var fullIds = ClusterIds(full, set.Count);
        var fullScores = ClusteringMetrics.Score(fullIds, labels);

        var baseline = ClusteringMetrics.Score(new DbscanBaseline(Neighbours: options.Neighbours).Cluster(set, index), labels);

        // The incremental path: the same collection without the held-out faces, then each added as a new photo would be.
        var heldOut = faces.Where(f => f.Id % HeldOutEvery == HeldOutEvery - 1).ToArray();
        var held = heldOut.Select(f => f.Id).ToHashSet();
        index.Remove([.. held]);
        var incremental = new FaceClustering(options, index, EmbeddingOf);
        incremental.Cluster([.. faces.Where(f => !held.Contains(f.Id))]);
        var addTimes = new List<double>(heldOut.Length);
        foreach (var face in heldOut)
        {
            clock.Restart();
            index.Add([face.Id], set.Row((int)face.Id));
            incremental.Add(face);
            addTimes.Add(clock.Elapsed.TotalMilliseconds);
        }

        addTimes.Sort();
        var incrementalIds = ClusterIds(incremental.Groups(), set.Count);
        var incrementalScores = ClusteringMetrics.Score(incrementalIds, labels);
        var agreement = ClusteringMetrics.Score(incrementalIds, [.. fullIds.Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture))]).PairwiseF;
        return new ClusteringEvaluation(
            fullScores,
            incrementalScores,
            baseline,
            buildSeconds,
            clusterSeconds,
            addTimes.Count > 0 ? addTimes[addTimes.Count / 2] : 0,
            addTimes.Count > 0 ? addTimes[^1] : 0,
            addTimes.Count,
            agreement,
            index.Kind,
            options);
    }

    /// <summary>
    /// Splits identities into two halves by a fixed hash of the name, so a rule measured on one half can be checked
    /// on people it never saw.
    /// </summary>
    public static bool InFirstHalf(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        var hash = 17u;
        foreach (var c in label)
        {
            hash = unchecked(hash * 31 + c);
        }

        return hash % 2 == 0;
    }

    /// <summary>The rows of <paramref name="set"/> that <paramref name="include"/> keeps, in order.</summary>
    public static EmbeddingSet Subset(EmbeddingSet set, Func<int, bool> include)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(include);
        var rows = Enumerable.Range(0, set.Count).Where(include).ToArray();
        var vectors = new float[rows.Length * set.Dimensions];
        for (var i = 0; i < rows.Length; i++)
        {
            set.Row(rows[i]).CopyTo(vectors.AsSpan(i * set.Dimensions, set.Dimensions));
        }

        return new EmbeddingSet([.. rows.Select(r => set.Keys[r])], vectors, set.Dimensions, [.. rows.Select(r => set.DetectionFailed[r])], set.Seconds);
    }

    /// <summary>Cluster id per row: the group's smallest face for founded groups, the row itself otherwise.</summary>
    public static long[] ClusterIds(IReadOnlyList<FaceCluster> groups, int count)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var ids = Enumerable.Range(0, count).Select(i => (long)i).ToArray();
        foreach (var group in groups.Where(g => g.Founded))
        {
            foreach (var face in group.Faces)
            {
                ids[face] = group.Faces[0];
            }
        }

        return ids;
    }
}
