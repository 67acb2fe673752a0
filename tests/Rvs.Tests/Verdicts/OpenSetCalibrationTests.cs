using Rvs.Verdicts;

namespace Rvs.Tests.Verdicts;

public class OpenSetCalibrationTests
{
    /// <summary>
    /// Hand-made curves, 0.05 of distance per decade of rate for one face and 0.04 for 100 faces. The entry of the
    /// one-face curve at 1e-5 has only 3 queries behind it and must not be decided by.
    /// </summary>
    private static OpenSetCalibration Calibration() => new(
        "model",
        "hand-made",
        1000,
        500_000,
        [
            new NearestStrangerCurve(1, [1e-5, 1e-4, 1e-3, 1e-2, 1e-1], [0.5, 0.90, 0.95, 1.00, 1.05], [3, 20, 50, 100, 500]),
            new NearestStrangerCurve(100, [1e-3, 1e-2, 1e-1], [0.88, 0.92, 0.96], [10, 40, 300]),
        ]);

    /// <summary>The rate a gallery of g may have so that N/g independent such galleries reach the target.</summary>
    private static double Level(double target, int g, double n) => 1 - Math.Pow(1 - target, g / n);

    [Fact]
    public void at_a_measured_size_and_rate_the_threshold_is_the_measured_distance()
    {
        Assert.Equal(1.00, Calibration().ThresholdFor(1, 0.01), 12);
        Assert.Equal(0.92, Calibration().ThresholdFor(100, 0.01), 12);
    }

    [Fact]
    public void between_measured_sizes_the_largest_smaller_size_gives_the_tightest_cautious_bound()
    {
        // N = 1000: the one-face curve would need 1e-5, where it has too little evidence; the 100-face curve needs
        // ≈1.005e-3, a hair above its first entry.
        var threshold = Calibration().Threshold(1000, 0.01);

        var expected = 0.88 + 0.04 * Math.Log10(Level(0.01, 100, 1000) / 1e-3);
        Assert.Equal(expected, threshold.Distance, 9);
        Assert.False(threshold.Extrapolated);
    }

    [Fact]
    public void past_every_measured_rate_the_tail_is_continued_and_the_answer_says_so()
    {
        var threshold = Calibration().Threshold(1_000_000, 0.01);

        // One face: from 0.90 at 1e-4, 0.05 per decade; 100 faces: from 0.88 at 1e-3, 0.04 per decade. The larger wins.
        var fromOne = 0.90 + 0.05 * Math.Log10(Level(0.01, 1, 1e6) / 1e-4);
        var fromHundred = 0.88 + 0.04 * Math.Log10(Level(0.01, 100, 1e6) / 1e-3);
        Assert.True(threshold.Extrapolated);
        Assert.Equal(Math.Max(fromOne, fromHundred), threshold.Distance, 9);
    }

    [Fact]
    public void an_entry_with_too_few_queries_behind_it_is_not_decided_by()
    {
        var threshold = Calibration().Threshold(1, 1e-5);

        Assert.True(threshold.Extrapolated);
        Assert.Equal(0.85, threshold.Distance, 9);
    }

    [Fact]
    public void the_threshold_tightens_as_the_collection_grows_within_one_measured_size()
    {
        var sizes = new long[] { 1, 2, 5, 10, 50, 99 };
        var thresholds = sizes.Select(n => Calibration().ThresholdFor(n)).ToArray();

        Assert.All(thresholds.Zip(thresholds.Skip(1)), pair => Assert.True(pair.Second < pair.First));
    }

    [Fact]
    public void an_empty_collection_gets_the_one_face_threshold_and_a_target_outside_zero_to_one_is_refused()
    {
        Assert.Equal(Calibration().ThresholdFor(1), Calibration().ThresholdFor(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Calibration().ThresholdFor(10, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Calibration().ThresholdFor(10, 1));
    }

    [Fact]
    public void a_file_whose_curve_is_not_increasing_is_refused_with_its_name()
    {
        var path = Path.Combine(Path.GetTempPath(), $"rvs-open-set-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(path, """
                {"p": {"model_id": "m", "measured_on": "x", "queries": 1, "impostor_pairs": 1,
                       "curves": [{"gallery_faces": 1, "fpir": [0.1, 0.01], "distance": [1, 2], "queries": [10, 10]}]}}
                """);

            var error = Assert.Throws<InvalidDataException>(() => OpenSetCalibration.Find(path, "m"));
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
