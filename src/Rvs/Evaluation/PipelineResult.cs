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
    [property: JsonPropertyName("seconds")] double Seconds)
{
    /// <summary>The models the figures belong to (the pipeline's ModelId).</summary>
    [JsonPropertyName("model_id")]
    public string? ModelId { get; init; }

    /// <summary>One threshold chosen on all 6,000 pairs, for deciding "same person" outside the benchmark (`rvs verify`).</summary>
    [JsonPropertyName("decision_threshold")]
    public double? DecisionThreshold { get; init; }

    /// <summary>The accuracy <see cref="DecisionThreshold"/> gives on all 6,000 pairs (optimistic: chosen on them).</summary>
    [JsonPropertyName("decision_accuracy")]
    public double? DecisionAccuracy { get; init; }

    /// <summary>The open-set protocol's figures; null where the data set has no strangers or no mated queries.</summary>
    [JsonPropertyName("open_set")]
    public OpenSetResult? OpenSet { get; init; }
}
