using Rvs.People;

namespace Rvs.Evaluation;

/// <summary>Clustering options for a model, from the two measurement files kept beside the models.</summary>
public static class MeasuredClusteringOptions
{
    /// <summary>Options for a collection of <paramref name="faces"/> faces; a clear error naming the command that measures whichever file is missing.</summary>
    public static ClusteringOptions ForModel(string modelId, long faces, string? distancesPath = null, string? verificationPath = null)
    {
        distancesPath ??= DistanceDistributions.DefaultPath;
        var distances = DistanceDistributions.Find(distancesPath, modelId)
            ?? throw new InvalidOperationException($"no distance distributions measured for {modelId} in {distancesPath}; run './rvs eval --clustering --save-distances models/{DistanceDistributions.FileName}'");
        var pair = VerificationThresholds.Find(verificationPath ?? VerificationThresholds.DefaultPath, modelId)
            ?? throw new InvalidOperationException($"no pair threshold measured for {modelId}; run './rvs eval --save-thresholds models/{VerificationThresholds.FileName}'");
        return ClusteringThresholds.Derive(distances, pair.Threshold, faces);
    }
}
