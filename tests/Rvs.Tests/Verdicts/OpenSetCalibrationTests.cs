using Rvs.Verdicts;

namespace Rvs.Tests.Verdicts;

public class OpenSetCalibrationTests
{
    /// <summary>
    /// Hand-made curves: at a 1% target, 1.00 for one face, 0.96 for 10 and 0.92 for 100 (0.04 per decade of size).
    /// The one-face entry at 1e-5 has only 3 people behind it and must not be decided by.
    /// </summary>
    private static OpenSetCalibration Calibration() => new(
        "model",
        "hand-made",
        1000,
        2000,
        500_000,
        [
            new NearestStrangerCurve(1, [1e-5, 1e-4, 1e-3, 1e-2, 1e-1], [0.5, 0.90, 0.95, 1.00, 1.05], [3, 20, 50, 100, 500]),
            new NearestStrangerCurve(10, [1e-3, 1e-2, 1e-1], [0.90, 0.96, 1.01], [12, 60, 400]),
            new NearestStrangerCurve(100, [1e-3, 1e-2, 1e-1], [0.86, 0.92, 0.97], [10, 40, 300]),
        ]);

    [Fact]
    public void at_a_measured_size_and_rate_the_threshold_is_the_measured_distance()
    {
        Assert.Equal(1.00, Calibration().ThresholdFor(1, 0.01), 12);
        Assert.Equal(0.96, Calibration().ThresholdFor(10, 0.01), 12);
        Assert.Equal(0.92, Calibration().ThresholdFor(100, 0.01), 12);
        Assert.False(Calibration().Threshold(100).Extrapolated);
    }

    [Fact]
    public void between_measured_sizes_and_rates_the_threshold_is_interpolated_in_log_size_and_log_rate()
    {
        // log10(31.6) = 1.5: halfway between 0.96 and 0.92.
        Assert.Equal(0.94, Calibration().ThresholdFor((long)Math.Round(Math.Pow(10, 1.5)), 0.01), 3);

        // One face at a rate of 10^-1.5: halfway between 1.00 (1e-2) and 1.05 (1e-1).
        Assert.Equal(1.025, Calibration().ThresholdFor(1, Math.Pow(10, -1.5)), 9);
    }

    [Fact]
    public void past_the_largest_measured_size_the_threshold_follows_the_last_decade_in_log_size_and_says_so()
    {
        var thousand = Calibration().Threshold(1000, 0.01);
        var million = Calibration().Threshold(1_000_000, 0.01);

        Assert.True(thousand.Extrapolated);
        Assert.Equal(0.88, thousand.Distance, 9);
        Assert.Equal(0.76, million.Distance, 9);
    }

    [Fact]
    public void a_size_read_off_a_continued_curve_counts_as_extrapolated()
    {
        var continued = Calibration() with { ExactUpTo = 10 };

        Assert.False(continued.Threshold(10).Extrapolated);
        Assert.True(continued.Threshold(50).Extrapolated);
        Assert.Equal(Calibration().ThresholdFor(50), continued.ThresholdFor(50));
    }

    [Fact]
    public void a_target_below_every_well_measured_rate_continues_the_one_face_tail()
    {
        // Only the 1e-5 entry (3 people) lies that low; the tail from 0.90 at 1e-4 and 0.95 at 1e-3 gives 0.85.
        var threshold = Calibration().Threshold(1, 1e-5);

        Assert.True(threshold.Extrapolated);
        Assert.Equal(0.85, threshold.Distance, 9);
    }

    [Fact]
    public void the_threshold_tightens_as_the_collection_grows()
    {
        var sizes = new long[] { 1, 2, 5, 10, 50, 99, 1000, 100_000 };
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
                {"p": {"model_id": "m", "measured_on": "x", "people": 1, "images": 1, "impostor_pairs": 1,
                       "curves": [{"gallery_faces": 1, "fpir": [0.1, 0.01], "distance": [1, 2], "people": [10, 10]}]}}
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
