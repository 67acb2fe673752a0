namespace Rvs.People;

/// <summary>
/// Derives <see cref="ClusteringOptions"/> from measurements instead of picking numbers: the merge distance is the
/// same/different-person pair boundary (models/verification.json), the link distance the point of the measured
/// different-person distribution (models/face-distances.json) that strangers pass at <see cref="StrangerPassRate"/>.
/// </summary>
/// <remarks>
/// Why that rate generalises: a face is compared with every other face of the collection through its nearest
/// neighbours, so the chance that its nearest stranger is nearer than the link distance is about
/// (faces in the collection) x (pass rate). One in a million keeps that at 1% for 10,000 faces and 10% for 100,000,
/// and what passes must still survive the mean-distance test against the whole group before it changes anything.
/// The distances themselves belong to one model: a new model needs both files measured again.
/// </remarks>
public static class ClusteringThresholds
{
    /// <summary>Share of different-person pairs allowed nearer than the link distance.</summary>
    public const double StrangerPassRate = 1e-6;

    public static ClusteringOptions Derive(DistanceDistributions distances, double pairThreshold)
    {
        ArgumentNullException.ThrowIfNull(distances);
        if (distances.DifferentPairs * StrangerPassRate < 10)
        {
            // Fewer than ten strangers' pairs at the rate: the quantile would be read off noise.
            throw new InvalidDataException(
                $"the distance distributions hold {distances.DifferentPairs:N0} different-person pairs; reading the 1-in-{1 / StrangerPassRate:N0} tail needs at least {10 / StrangerPassRate:N0}");
        }

        var link = distances.DifferentPersonQuantile(StrangerPassRate);
        return new ClusteringOptions((float)Math.Min(link, pairThreshold), (float)pairThreshold);
    }
}
