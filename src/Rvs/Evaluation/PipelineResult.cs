using System.Text.Json.Serialization;

namespace Rvs.Evaluation;

/// <summary>
/// Every figure of EVALUATION.md for one pipeline on LFW. Rates are fractions in [0, 1];
/// <see cref="VerificationStd"/> is the population standard deviation over the 10 folds.
/// </summary>
public sealed record PipelineResult(
    [property: JsonPropertyName("pipeline")] string Pipeline,
    [property: JsonPropertyName("rank1")] double Rank1,
    [property: JsonPropertyName("hit20")] double Hit20,
    [property: JsonPropertyName("precision20")] double Precision20,
    [property: JsonPropertyName("map20")] double Map20,
    [property: JsonPropertyName("verification_accuracy")] double VerificationAccuracy,
    [property: JsonPropertyName("verification_std")] double VerificationStd,
    [property: JsonPropertyName("verification_threshold")] double VerificationThreshold,
    [property: JsonPropertyName("detection_failures")] int DetectionFailures,
    [property: JsonPropertyName("images")] int Images,
    [property: JsonPropertyName("images_per_second")] double ImagesPerSecond,
    [property: JsonPropertyName("seconds")] double Seconds);
