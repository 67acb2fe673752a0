using Rvs.Evaluation;

namespace Rvs.Tests.Evaluation;

public class VerificationProtocolTests
{
    private static ScoredPair Same(double distance, int fold = 0) => new(distance, true, fold);

    private static ScoredPair Different(double distance, int fold = 0) => new(distance, false, fold);

    /// <summary>
    /// Folds 1-9: same pairs at 0.2, different at 0.8. Fold 0: same at 0.6, different at 0.9.
    /// Held out, fold 0 gets the threshold of folds 1-9 (0.5) and scores 50%, although a threshold chosen on
    /// fold 0 itself (0.75) would score 100%. Every other fold trains on 0.2/0.6 same and 0.8/0.9 different,
    /// chooses 0.7 and scores 100%.
    /// </summary>
    private static ScoredPair[] FoldZeroIsUnlikeTheOthers() =>
        [
            Same(0.6, 0), Different(0.9, 0),
            .. Enumerable.Range(1, 9).SelectMany(f => new[] { Same(0.2, f), Different(0.8, f) }),
        ];

    [Fact]
    public void the_threshold_of_a_fold_is_chosen_on_the_other_nine_folds()
    {
        var result = VerificationProtocol.Evaluate(FoldZeroIsUnlikeTheOthers());

        Assert.Equal(10, result.Folds.Count);
        var fold0 = result.Folds[0];
        Assert.Equal(0.5, fold0.Threshold, 12);
        Assert.Equal(0.5, fold0.Accuracy, 12);
        Assert.All(result.Folds.Skip(1), fold =>
        {
            Assert.Equal(0.7, fold.Threshold, 12);
            Assert.Equal(1.0, fold.Accuracy, 12);
        });
        Assert.Equal(0.75, VerificationProtocol.ChooseThreshold([Same(0.6), Different(0.9)]).Threshold, 12);
    }

    [Fact]
    public void the_reported_spread_is_the_population_standard_deviation_over_folds()
    {
        // Accuracies 0.5 and nine times 1.0: mean 0.95; population std sqrt((0.45² + 9·0.05²) / 10) = 0.15
        // (the sample std would be 0.158).
        var result = VerificationProtocol.Evaluate(FoldZeroIsUnlikeTheOthers());

        Assert.Equal(0.95, result.MeanAccuracy, 12);
        Assert.Equal(0.15, result.StdAccuracy, 12);
        Assert.Equal((0.5 + 9 * 0.7) / 10, result.MeanThreshold, 12);
    }

    [Fact]
    public void the_threshold_is_the_midpoint_between_neighbouring_distances()
    {
        var choice = VerificationProtocol.ChooseThreshold([Same(0.1), Same(0.3), Different(0.5), Different(0.7)]);

        Assert.Equal(0.4, choice.Threshold, 12);
        Assert.Equal(1.0, choice.Accuracy, 12);
    }

    [Fact]
    public void when_every_pair_is_the_same_person_the_threshold_lies_above_the_largest_distance()
    {
        var choice = VerificationProtocol.ChooseThreshold([Same(0.3), Same(0.9)]);

        Assert.True(choice.Threshold > 0.9);
        Assert.Equal(1.0, choice.Accuracy, 12);
    }

    [Fact]
    public void when_every_pair_is_different_people_the_threshold_lies_below_the_smallest_distance()
    {
        var choice = VerificationProtocol.ChooseThreshold([Different(0.3), Different(0.9)]);

        Assert.True(choice.Threshold < 0.3);
        Assert.Equal(1.0, choice.Accuracy, 12);
    }

    [Fact]
    public void among_equally_accurate_thresholds_the_smallest_wins()
    {
        // 0.3 and 0.7 both classify 3 of 4 pairs correctly.
        var choice = VerificationProtocol.ChooseThreshold([Same(0.2), Different(0.4), Same(0.6), Different(0.8)]);

        Assert.Equal(0.3, choice.Threshold, 12);
        Assert.Equal(0.75, choice.Accuracy, 12);
    }

    [Fact]
    public void pairs_at_the_same_distance_fall_on_the_same_side_of_the_threshold()
    {
        // A same and a different pair at 0.5 cannot be separated; the best is to call both "different" or both "same".
        var choice = VerificationProtocol.ChooseThreshold([Same(0.1), Same(0.5), Different(0.5), Different(0.9)]);

        Assert.Equal(0.75, choice.Accuracy, 12);
        Assert.Equal(0.75, VerificationProtocol.Accuracy([Same(0.1), Same(0.5), Different(0.5), Different(0.9)], choice.Threshold), 12);
    }

    [Fact]
    public void pair_distances_are_l2_distances_between_the_embeddings_of_the_two_images()
    {
        var pairs = LfwPairs.Parse(new StringReader("2\t1\nA\t1\t2\nA\t1\tB\t1\nB\t1\t2\nA\t2\tB\t2\n"));
        var set = new EmbeddingSet(
            ["A/A_0001.jpg", "A/A_0002.jpg", "B/B_0001.jpg", "B/B_0002.jpg"],
            [1, 0, 0.6f, 0.8f, 0, 1, 0, 1],
            2,
            new bool[4],
            1);

        var scored = VerificationProtocol.Score(pairs, set);

        Assert.Equal(Math.Sqrt(0.4 * 0.4 + 0.8 * 0.8), scored[0].Distance, 5);
        Assert.Equal(Math.Sqrt(2), scored[1].Distance, 5);
        Assert.Equal(0, scored[2].Distance, 5);
        Assert.Equal(new[] { true, false, true, false }, scored.Select(p => p.Same));
        Assert.Equal(new[] { 0, 0, 1, 1 }, scored.Select(p => p.Fold));
    }
}
