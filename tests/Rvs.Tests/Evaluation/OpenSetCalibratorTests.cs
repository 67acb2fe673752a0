using Rvs.Evaluation;
using Rvs.Verdicts;

namespace Rvs.Tests.Evaluation;

public class OpenSetCalibratorTests
{
    private static double Chord(double degrees) => 2 * Math.Sin(degrees * Math.PI / 360);

    /// <summary>
    /// Four people with one photo each, on the unit circle: A at 0°, B at 2°, C at 90°, D at 180°. Every query has
    /// M = 3 strangers. A and B have one close stranger each (the other, at chord 2°), C's nearest is B (88°), D's is C (90°).
    /// </summary>
    private static OpenSetCalibration Calibrate()
    {
        double[] degrees = [0, 2, 90, 180];
        var set = new EmbeddingSet(
            ["A/1", "B/1", "C/1", "D/1"],
            [.. degrees.SelectMany(d => new[] { (float)Math.Cos(d * Math.PI / 180), (float)Math.Sin(d * Math.PI / 180) })],
            2,
            new bool[4],
            0);
        return OpenSetCalibrator.Measure(set, [0, 1, 2, 3], set.Labels(), "model", "test");
    }

    private static double DistanceAt(NearestStrangerCurve curve, double fpir) =>
        curve.Distance[Enumerable.Range(0, curve.Fpir.Count).First(i => curve.Fpir[i] >= fpir)];

    [Fact]
    public void the_rate_for_a_gallery_of_g_strangers_is_the_chance_the_close_one_is_among_them()
    {
        var calibration = Calibrate();

        // Sizes 1 to M = 3. Just above chord 2°, A and B each see a stranger closer in a random gallery of g of
        // their 3 strangers with chance g/3; C and D never: the FPIR is (2 · g/3) / 4 = g/6.
        Assert.Equal(new[] { 1, 2, 3 }, calibration.Curves.Select(c => c.GalleryFaces));
        Assert.Equal(4, calibration.People);
        Assert.Equal(4, calibration.Images);
        Assert.Equal(6, calibration.ImpostorPairs);
        foreach (var curve in calibration.Curves)
        {
            var reached = curve.GalleryFaces / 6.0;
            Assert.All(Enumerable.Range(0, curve.Fpir.Count).Where(i => curve.Fpir[i] <= reached),
                i => Assert.Equal(Chord(2), curve.Distance[i], 5));
        }

        // With one face, the next rung (10^-0.7 ≈ 0.20 > 1/6) needs C's nearest stranger, B at 88°: rate 1/4 then.
        var single = calibration.Curves[0];
        Assert.Equal(Chord(88), DistanceAt(single, 0.19), 5);
        Assert.Equal(3, single.People[single.Fpir.ToList().FindIndex(f => f >= 0.19)]);
        Assert.Equal(2, single.People[0]);
    }

    [Fact]
    public void a_calibration_survives_the_file_and_is_found_by_model_id()
    {
        var path = Path.Combine(Path.GetTempPath(), $"rvs-open-set-{Guid.NewGuid():N}.json");
        try
        {
            var calibration = Calibrate() with { Curves = [.. Calibrate().Curves.Select(c => c with { People = [.. c.People.Select(q => q * 10)] })] };
            OpenSetCalibration.Save(path, "pipeline", calibration);

            var found = OpenSetCalibration.Find(path, "model");
            Assert.NotNull(found);
            Assert.Equal(calibration.ThresholdFor(3), found.ThresholdFor(3));
            Assert.Null(OpenSetCalibration.Find(path, "another model"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
