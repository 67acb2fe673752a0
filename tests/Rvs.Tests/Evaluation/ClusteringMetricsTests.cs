using Rvs.Evaluation;

namespace Rvs.Tests.Evaluation;

public class ClusteringMetricsTests
{
    [Fact]
    public void a_mixed_cluster_is_scored_by_hand_counted_pairs_and_bcubed_shares()
    {
        // Labels a a a b b in clusters 1 1 2 2 2. Predicted pairs: 1 (cluster 1) + 3 (cluster 2) = 4; true pairs:
        // 3 (a) + 1 (b) = 4; pairs right: a1-a2 and b4-b5 = 2. BCubed precision per item: 1, 1, 1/3, 2/3, 2/3;
        // recall: 2/3, 2/3, 1/3, 1, 1. One of the two clusters holds two identities.
        var scores = ClusteringMetrics.Score([1, 1, 2, 2, 2], ["a", "a", "a", "b", "b"]);

        Assert.Equal(0.5, scores.PairwisePrecision, 12);
        Assert.Equal(0.5, scores.PairwiseRecall, 12);
        Assert.Equal(0.5, scores.PairwiseF, 12);
        Assert.Equal(11.0 / 15, scores.BCubedPrecision, 12);
        Assert.Equal(11.0 / 15, scores.BCubedRecall, 12);
        Assert.Equal(11.0 / 15, scores.BCubedF, 12);
        Assert.Equal(0.5, scores.MixedClusterShare, 12);
        Assert.Equal(2, scores.Clusters);
    }

    [Fact]
    public void the_true_grouping_scores_one_everywhere_and_mixes_nothing()
    {
        var scores = ClusteringMetrics.Score([7, 7, 3, 9], ["x", "x", "y", "z"]);

        Assert.Equal(1, scores.PairwiseF, 12);
        Assert.Equal(1, scores.BCubedF, 12);
        Assert.Equal(0, scores.MixedClusterShare, 12);
    }

    [Fact]
    public void one_cluster_for_everything_has_full_recall_and_precision_of_the_largest_share()
    {
        // Labels x x x y: 6 predicted pairs, 3 right. BCubed precision 3/4 for each x and 1/4 for y.
        var scores = ClusteringMetrics.Score([1, 1, 1, 1], ["x", "x", "x", "y"]);

        Assert.Equal(0.5, scores.PairwisePrecision, 12);
        Assert.Equal(1, scores.PairwiseRecall, 12);
        Assert.Equal((3 * 0.75 + 0.25) / 4, scores.BCubedPrecision, 12);
        Assert.Equal(1, scores.BCubedRecall, 12);
        Assert.Equal(1, scores.MixedClusterShare, 12);
    }

    [Fact]
    public void all_singletons_make_no_false_pair_and_find_no_true_one()
    {
        var scores = ClusteringMetrics.Score([1, 2, 3], ["x", "x", "y"]);

        Assert.Equal(1, scores.PairwisePrecision, 12);
        Assert.Equal(0, scores.PairwiseRecall, 12);
        Assert.Equal(0, scores.PairwiseF, 12);
        Assert.Equal(1, scores.BCubedPrecision, 12);
        Assert.Equal((0.5 + 0.5 + 1) / 3, scores.BCubedRecall, 12);
    }

    [Fact]
    public void mismatched_lengths_are_refused()
    {
        Assert.Throws<ArgumentException>(() => ClusteringMetrics.Score([1, 2], ["x"]));
    }
}
