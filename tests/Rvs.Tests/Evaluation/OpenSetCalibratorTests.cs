using Rvs.Evaluation;
using Rvs.Verdicts;

namespace Rvs.Tests.Evaluation;

public class OpenSetCalibratorTests
{
    private static double Chord(double degrees) => 2 * Math.Sin(degrees * Math.PI / 360);

    /// <summary>
    /// Eight people with one photo each, on the unit circle: A at 0°, B at 2°, the others at 60°, 105°, 150°, 195°,
    /// 240° and 300°. Every query has M = 7 strangers. Only A and B have a stranger within 45° (each other, at 2°);
    /// the four at 105° to 240° are 45° from their neighbours, and everyone else is farther apart.
    /// </summary>
    private static OpenSetCalibration Calibrate()
    {
        double[] degrees = [0, 2, 60, 105, 150, 195, 240, 300];
        var set = new EmbeddingSet(
            [.. degrees.Select((_, i) => $"{(char)('A' + i)}/1")],
            [.. degrees.SelectMany(d => new[] { (float)Math.Cos(d * Math.PI / 180), (float)Math.Sin(d * Math.PI / 180) })],
            2,
            new bool[degrees.Length],
            0);
        return OpenSetCalibrator.Measure(set, [.. Enumerable.Range(0, degrees.Length)], set.Labels(), "model", "test");
    }

    private static double DistanceAt(NearestStrangerCurve curve, double fpir) =>
        curve.Distance[Enumerable.Range(0, curve.Fpir.Count).First(i => curve.Fpir[i] >= fpir)];

    [Fact]
    public void up_to_half_the_strangers_the_rate_is_the_chance_the_close_one_is_drawn_and_past_it_each_query_continues_as_independent_draws()
    {
        var calibration = Calibrate();

        // Exact sizes 1 to M/2 = 3, continued ones up to 2M = 14 (10^(k/8) rounded: 4, 6, 7, 10, 13, and 14 itself).
        Assert.Equal(new[] { 1, 2, 3, 4, 6, 7, 10, 13, 14 }, calibration.Curves.Select(c => c.GalleryFaces));
        Assert.Equal(3, calibration.ExactUpTo);
        Assert.Equal(8, calibration.People);
        Assert.Equal(8, calibration.Images);
        Assert.Equal(28, calibration.ImpostorPairs);
        foreach (var curve in calibration.Curves)
        {
            // Just above chord 2°, A and B (a quarter of the people) each see their close stranger in a random
            // gallery of g ≤ 3 of their 7 with chance g/7; past 3, with chance 1 − S(3)^(g/3), S(3) = 4/7.
            var g = curve.GalleryFaces;
            var reached = g <= 3 ? 0.25 * g / 7 : 0.25 * (1 - Math.Pow(4.0 / 7, g / 3.0));
            Assert.All(Enumerable.Range(0, curve.Fpir.Count).Where(i => curve.Fpir[i] <= reached),
                i => Assert.Equal(Chord(2), curve.Distance[i], 5));
            Assert.Contains(Enumerable.Range(0, curve.Fpir.Count), i => curve.Fpir[i] > reached && curve.Fpir[i] < 0.5 && curve.Distance[i] > Chord(44));
        }

        // With one face the rate at 2° is 1/28 ≈ 0.036; the next rung (10^-1.4 ≈ 0.040) needs the pairs at 45°.
        var single = calibration.Curves[0];
        Assert.Equal(Chord(45), DistanceAt(single, 0.039), 5);
        Assert.Equal(6, single.People[single.Fpir.ToList().FindIndex(f => f >= 0.039)]);
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
            Assert.Equal(3, found.ExactUpTo);
            Assert.Null(OpenSetCalibration.Find(path, "another model"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
