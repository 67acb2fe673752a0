namespace Rvs.People;

/// <summary>
/// Derives <see cref="ClusteringOptions"/> from measurements instead of picking numbers: the merge distance is the
/// same/different-person pair boundary (models/verification.json), the link distance the point of the measured
/// different-person distribution (models/face-distances.json) below which, in a collection of the given size, a
/// face's nearest strangers pass <see cref="StrangersPerFace"/> times on average.
/// </summary>
/// <remarks>
/// Why this generalises: every face meets every other face of the collection through its nearest neighbours, so
/// the number of strangers nearer than a distance d is about (faces) x (share of different-person pairs below d).
/// Holding that product fixed makes the link strict in a large collection, where strangers are many, and looser in
/// a small one, where a strict link would leave a person's few photos apart; a stranger that passes must still
/// survive the mean-distance test against the whole group. The distances belong to one model: a new model needs
/// both files measured again.
/// </remarks>
public static class ClusteringThresholds
{
    /// <summary>Strangers nearer than the link distance, per face, expected over the whole collection.</summary>
    public const double StrangersPerFace = 0.01;

    /// <summary>
    /// The tail is read no finer than where the measurement holds this many different-person pairs: a count of n is
    /// known to about 1/sqrt(n), so 100 pairs fix the rate to about 10%. Below that a handful of pairs decide the
    /// distance (on LFW, mislabelled and duplicated photos sit exactly there).
    /// </summary>
    public const long FewestPairsInTail = 100;

    /// <summary>Options for a collection of <paramref name="faces"/> faces.</summary>
    public static ClusteringOptions Derive(DistanceDistributions distances, double pairThreshold, long faces)
    {
        ArgumentNullException.ThrowIfNull(distances);
        if (distances.DifferentPairs < FewestPairsInTail)
        {
            throw new InvalidDataException($"the distance distributions hold {distances.DifferentPairs} different-person pairs; too few to read a tail from");
        }

        // Beyond what was measured the rate cannot be read; the finest measured one is used and the mean-distance
        // test then carries more of the decision.
        var rate = Math.Max(StrangersPerFace / Math.Max(faces, 1), (double)FewestPairsInTail / distances.DifferentPairs);
        var link = distances.DifferentPersonQuantile(rate);
        return new ClusteringOptions((float)Math.Min(link, pairThreshold), (float)pairThreshold);
    }
}
