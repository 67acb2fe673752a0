using System.Text.Json.Serialization;
using Rvs.Verdicts;

namespace Rvs.Evaluation;

/// <summary>The rates at one threshold on one gallery, with the number of queries of each kind behind them.</summary>
public sealed record OpenSetMeasurement(
    [property: JsonPropertyName("gallery_faces")] int GalleryFaces,
    [property: JsonPropertyName("target_fpir")] double? TargetFpir,
    [property: JsonPropertyName("distance")] double Distance,
    [property: JsonPropertyName("fpir")] double Fpir,
    [property: JsonPropertyName("fnir")] double Fnir,
    [property: JsonPropertyName("non_mated_queries")] int NonMatedQueries,
    [property: JsonPropertyName("mated_queries")] int MatedQueries);

/// <summary>
/// EVALUATION.md's open-set figures for one pipeline. <see cref="OwnThreshold"/> and <see cref="Calibration"/> are
/// measured with queries of the measurement half of the people only (the calibration never saw them) against the
/// gallery, which holds both halves; the best-threshold figures and the DET curve use every query.
/// </summary>
public sealed record OpenSetResult(
    [property: JsonPropertyName("own_threshold")] OpenSetMeasurement? OwnThreshold,
    [property: JsonPropertyName("fnir_at_fpir_1pct")] double FnirAtFpir1Pct,
    [property: JsonPropertyName("fnir_at_fpir_0_1pct")] double FnirAtFpir01Pct,
    [property: JsonPropertyName("calibration")] IReadOnlyList<OpenSetMeasurement> Calibration)
{
    /// <summary>For comparison, out of sample like <see cref="OwnThreshold"/>: the plain quantile of the one-face
    /// (impostor pair) distribution, 1 − (1 − FPIR)^(1/N) per comparison, as if the faces were independent strangers.</summary>
    [JsonPropertyName("plain_quantile")]
    public OpenSetMeasurement? PlainQuantile { get; init; }

    /// <summary>For comparison, out of sample: the 1:1 same-person threshold used as a search threshold.</summary>
    [JsonPropertyName("pair_threshold")]
    public OpenSetMeasurement? PairThreshold { get; init; }

    /// <summary>The DET curve of the full protocol (every query, the whole gallery), strictest threshold first.</summary>
    [JsonIgnore]
    public IReadOnlyList<OpenSetRates> Det { get; init; } = [];
}

/// <summary>Runs the open-set protocol on an embedded LFW.</summary>
public static class OpenSetEvaluation
{
    /// <summary>The gallery sizes of EVALUATION.md's calibration check, besides the whole gallery.</summary>
    public static IReadOnlyList<int> CheckSizes { get; } = [1_000, 3_000];

    /// <summary>Whether the set has both kinds of query: people in the gallery and strangers to it.</summary>
    public static bool CanRun(OpenSetGallery gallery)
    {
        ArgumentNullException.ThrowIfNull(gallery);
        return gallery.FullGallery.Count > 0 && gallery.FullGallery.Count < gallery.Set.Count;
    }

    /// <param name="gallery">The embedded LFW with its split.</param>
    /// <param name="calibration">The calibration rvs decides by; null leaves out the figures that need it.</param>
    /// <param name="targetFpir">The target rvs's threshold is computed for.</param>
    /// <param name="pairThreshold">The 1:1 same-person threshold, measured beside for comparison; null leaves it out.</param>
    public static OpenSetResult Run(OpenSetGallery gallery, OpenSetCalibration? calibration, double targetFpir = OpenSetCalibration.DefaultTargetFpir, double? pairThreshold = null)
    {
        ArgumentNullException.ThrowIfNull(gallery);
        var full = gallery.FullGallery;
        var everyone = gallery.Search(full, [.. Enumerable.Range(0, gallery.Set.Count)]);
        var best1 = OpenSetMetrics.AtFpir(everyone, 0.01);
        var best01 = OpenSetMetrics.AtFpir(everyone, 0.001);
        var det = OpenSetMetrics.DetCurve(everyone);
        if (calibration is null)
        {
            return new OpenSetResult(null, best1.Fnir, best01.Fnir, []) { Det = det };
        }

        var measurement = new HashSet<int>(gallery.MeasurementRows);
        var outOfSample = everyone.Where((_, row) => measurement.Contains(row)).ToArray();
        var own = Measure(full.Count, outOfSample, calibration.ThresholdFor(full.Count, targetFpir), targetFpir);
        var checks = CheckSizes.Where(size => size < full.Count)
            .Select(size => Measure(size, gallery.Search(gallery.Cut(size), gallery.MeasurementRows), calibration.ThresholdFor(size, targetFpir), targetFpir))
            .Append(own)
            .ToArray();
        return new OpenSetResult(own, best1.Fnir, best01.Fnir, checks)
        {
            Det = det,
            PlainQuantile = Measure(full.Count, outOfSample, calibration.AsIndependentStrangers(full.Count, targetFpir).Distance, targetFpir),
            PairThreshold = pairThreshold is { } pair ? Measure(full.Count, outOfSample, pair, null) : null,
        };
    }

    private static OpenSetMeasurement Measure(int galleryFaces, IReadOnlyCollection<OpenSetQuery> queries, double threshold, double? targetFpir)
    {
        var rates = OpenSetMetrics.At(queries, threshold);
        var mated = queries.Count(q => q.Mated);
        return new OpenSetMeasurement(galleryFaces, targetFpir, threshold, rates.Fpir, rates.Fnir, queries.Count - mated, mated);
    }
}
