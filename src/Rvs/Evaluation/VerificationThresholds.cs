using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rvs.Evaluation;

/// <summary>A same-person decision threshold measured on LFW for one pipeline's models.</summary>
public sealed record VerificationThreshold(
    [property: JsonPropertyName("model_id")] string ModelId,
    [property: JsonPropertyName("threshold")] double Threshold,
    [property: JsonPropertyName("accuracy")] double Accuracy,
    [property: JsonPropertyName("ten_fold_accuracy")] double TenFoldAccuracy,
    [property: JsonPropertyName("measured_on")] string MeasuredOn);

/// <summary>
/// The thresholds `rvs verify` decides by, kept beside the models (models/verification.json) because a
/// threshold is only meaningful for the exact models and preprocessing it was measured with.
/// </summary>
public static class VerificationThresholds
{
    public const string FileName = "verification.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "models", FileName);

    public static IReadOnlyDictionary<string, VerificationThreshold> Load(string path)
    {
        if (!File.Exists(path))
        {
            return new Dictionary<string, VerificationThreshold>();
        }

        return JsonSerializer.Deserialize<Dictionary<string, VerificationThreshold>>(File.ReadAllText(path), Json)
               ?? new Dictionary<string, VerificationThreshold>();
    }

    /// <summary>The threshold measured for exactly these models, or null if there is none.</summary>
    /// <summary>
    /// The distance under which two faces of these models are likely the same person, as measured on LFW pairs
    /// (the shipped models/verification.json); null when none was measured for this model id.
    /// </summary>
    public static float? SamePersonDistance(string modelId) => Find(DefaultPath, modelId) is { } t ? (float)t.Threshold : null;

    public static VerificationThreshold? Find(string path, string modelId) =>
        Load(path).Values.FirstOrDefault(t => t.ModelId == modelId);

    /// <summary>Adds or replaces the pipelines' entries, keeping the others, and writes atomically.</summary>
    public static void Save(string path, IEnumerable<PipelineResult> results, string measuredOn)
    {
        var all = new SortedDictionary<string, VerificationThreshold>(Load(path).ToDictionary(), StringComparer.Ordinal);
        foreach (var r in results.Where(r => r is { ModelId: not null, DecisionThreshold: not null, DecisionAccuracy: not null }))
        {
            all[r.Pipeline] = new VerificationThreshold(r.ModelId!, r.DecisionThreshold!.Value, r.DecisionAccuracy!.Value, r.VerificationAccuracy, measuredOn);
        }

        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(all, Json) + "\n");
        File.Move(temporary, path, overwrite: true);
    }
}
