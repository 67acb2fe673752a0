using Rvs.People;

namespace Rvs.Tests.People;

public class ClusteringThresholdsTests
{
    // Bins of 0.25 over [0, 2]; a million different-person pairs, so the 100-pair floor is a rate of 1e-4.
    // Cumulative counts: below 0.75: 5, below 1.0: 25, below 1.25: 100, below 1.5: 1,000.
    private static readonly DistanceDistributions Distances = new(
        "m", "hand-made", "", 0.25, [0, 1, 2, 3, 4, 0, 0, 0], [0, 0, 5, 20, 75, 900, 99_000, 900_000]);

    [Fact]
    public void a_small_collection_links_where_strangers_pass_once_per_hundred_faces()
    {
        // 10 faces: a rate of 0.01 / 10 = 1e-3 allows 1,000 of the million pairs, which ends at 1.5.
        Assert.Equal(1.5f, ClusteringThresholds.Derive(Distances, pairThreshold: 1.9, faces: 10).LinkDistance);
    }

    [Fact]
    public void a_larger_collection_links_stricter()
    {
        // 100 faces: 1e-4 allows 100 pairs, which ends at 1.25.
        Assert.Equal(1.25f, ClusteringThresholds.Derive(Distances, pairThreshold: 1.9, faces: 100).LinkDistance);
    }

    [Fact]
    public void beyond_the_measured_tail_the_hundred_pair_floor_holds()
    {
        Assert.Equal(1.25f, ClusteringThresholds.Derive(Distances, pairThreshold: 1.9, faces: 1_000_000).LinkDistance);
    }

    [Fact]
    public void the_link_never_exceeds_the_pair_threshold_which_is_the_merge_distance()
    {
        var options = ClusteringThresholds.Derive(Distances, pairThreshold: 1.3, faces: 10);

        Assert.Equal(1.3f, options.LinkDistance);
        Assert.Equal(1.3f, options.MergeDistance);
    }
}
