using Rvs.Evaluation;

namespace Rvs.Tests.Evaluation;

public class OpenSetMetricsTests
{
    private static OpenSetQuery Stranger(double distance) => new(distance, Mated: false, TopIsMate: false);

    private static OpenSetQuery Found(double distance) => new(distance, Mated: true, TopIsMate: true);

    private static OpenSetQuery WrongPersonFirst(double distance) => new(distance, Mated: true, TopIsMate: false);

    /// <summary>Four strangers at 0.2, 0.5, 0.7, 0.9; four mated queries: found at 0.1, 0.3, 0.6, and a wrong person first at 0.15.</summary>
    private static OpenSetQuery[] Queries() =>
        [Stranger(0.2), Stranger(0.5), Stranger(0.7), Stranger(0.9), Found(0.1), Found(0.3), Found(0.6), WrongPersonFirst(0.15)];

    [Fact]
    public void fpir_counts_strangers_under_the_threshold_and_fnir_counts_mated_queries_not_matched_rightly()
    {
        var rates = OpenSetMetrics.At(Queries(), 0.55);

        // Strangers at 0.2 and 0.5 are called someone: 2 of 4. Mated: 0.1 and 0.3 found; 0.6 too far; the wrong
        // person at 0.15 is under the threshold but is not the right one, so it is a miss: 2 of 4.
        Assert.Equal(0.5, rates.Fpir, 12);
        Assert.Equal(0.5, rates.Fnir, 12);
    }

    [Fact]
    public void a_top_hit_exactly_at_the_threshold_is_not_a_match()
    {
        var rates = OpenSetMetrics.At(Queries(), 0.5);

        Assert.Equal(0.25, rates.Fpir, 12);
    }

    [Fact]
    public void the_best_threshold_at_an_fpir_is_read_off_the_strangers_distances()
    {
        // At most ⌊0.25·4⌋ = 1 stranger may fall under it: the threshold is the second stranger distance, 0.5.
        var rates = OpenSetMetrics.AtFpir(Queries(), 0.25);

        Assert.Equal(0.5, rates.Threshold, 12);
        Assert.Equal(0.25, rates.Fpir, 12);
        Assert.Equal(0.5, rates.Fnir, 12);

        // Under 1/4 no stranger may pass: the threshold is the nearest stranger, and only the 0.1 query is found.
        var strict = OpenSetMetrics.AtFpir(Queries(), 0.1);
        Assert.Equal(0.2, strict.Threshold, 12);
        Assert.Equal(0.0, strict.Fpir, 12);
        Assert.Equal(0.75, strict.Fnir, 12);
    }

    [Fact]
    public void the_det_curve_runs_from_everything_rejected_to_everything_accepted()
    {
        var curve = OpenSetMetrics.DetCurve(Queries());

        Assert.Equal((0.0, 1.0), (curve[0].Fpir, curve[0].Fnir));
        Assert.Equal((1.0, 0.25), (curve[^1].Fpir, curve[^1].Fnir));
        Assert.Equal(9, curve.Count);
        Assert.All(curve.Zip(curve.Skip(1)), step => Assert.True(step.Second.Fpir >= step.First.Fpir && step.Second.Fnir <= step.First.Fnir));

        // Each point agrees with measuring at its own threshold.
        Assert.All(curve.Skip(1), point => Assert.Equal(OpenSetMetrics.At(Queries(), point.Threshold), point));
    }

    [Fact]
    public void the_best_threshold_needs_strangers()
    {
        Assert.Throws<ArgumentException>(() => OpenSetMetrics.AtFpir([Found(0.1)], 0.01));
    }
}
