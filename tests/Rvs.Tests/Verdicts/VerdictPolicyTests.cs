using Rvs.Verdicts;

namespace Rvs.Tests.Verdicts;

public class VerdictPolicyTests
{
    [Fact]
    public void a_hit_is_a_match_under_the_open_set_threshold_and_possible_under_the_pair_threshold_only()
    {
        var policy = new VerdictPolicy(matchThreshold: 0.8, possibleThreshold: 1.1);

        Assert.Equal(Verdict.Match, policy.Judge(0.79));
        Assert.Equal(Verdict.Possible, policy.Judge(0.8));
        Assert.Equal(Verdict.Possible, policy.Judge(1.09));
        Assert.Equal(Verdict.None, policy.Judge(1.1));
    }

    [Fact]
    public void the_answer_is_a_match_exactly_when_the_top_hit_is_one()
    {
        var policy = new VerdictPolicy(0.8, 1.1);

        var match = policy.Answer([0.5, 0.9, 1.3]);
        Assert.Equal(Verdict.Match, match.Verdict);
        Assert.Equal(0, match.MatchRank);
        Assert.Equal(new[] { Verdict.Match, Verdict.Possible, Verdict.None }, match.Hits);

        var none = policy.Answer([0.9, 1.3]);
        Assert.Equal(Verdict.None, none.Verdict);
        Assert.Null(none.MatchRank);
        Assert.Equal(new[] { Verdict.Possible, Verdict.None }, none.Hits);

        Assert.Equal(Verdict.None, policy.Answer([]).Verdict);
    }

    [Fact]
    public void a_match_is_never_looser_than_the_pair_threshold()
    {
        var policy = new VerdictPolicy(matchThreshold: 1.3, possibleThreshold: 1.1);

        Assert.Equal(1.1, policy.MatchThreshold);
        Assert.Equal(Verdict.None, policy.Judge(1.2));
    }

    [Fact]
    public void the_match_threshold_follows_the_collection_size()
    {
        var calibration = new OpenSetCalibration("m", "hand-made", 100, 100, 5000,
        [
            new NearestStrangerCurve(1, [1e-4, 1e-3, 1e-2, 1e-1], [0.90, 0.95, 1.00, 1.05], [20, 50, 100, 500]),
        ]);

        var small = VerdictPolicy.For(calibration, pairThreshold: 1.2, galleryFaces: 1);
        var large = VerdictPolicy.For(calibration, pairThreshold: 1.2, galleryFaces: 100);

        Assert.Equal(1.00, small.MatchThreshold, 12);
        Assert.True(large.MatchThreshold < small.MatchThreshold);
        Assert.Equal(Verdict.Match, small.Judge(0.99));
        Assert.Equal(Verdict.Possible, large.Judge(0.99));
    }

    [Fact]
    public void without_a_calibration_nothing_is_called_a_match()
    {
        var policy = VerdictPolicy.For(null, pairThreshold: 1.1, galleryFaces: 10);

        Assert.Equal(Verdict.Possible, policy.Judge(0.01));
        Assert.Equal("possible", policy.Judge(0.01).Word());
        Assert.Equal("none", default(Verdict).Word());
    }
}
