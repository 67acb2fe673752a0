using System.Numerics.Tensors;

namespace Rvs.Evaluation;

/// <summary>A verification pair reduced to what the protocol needs: the embedding distance and the truth.</summary>
public sealed record ScoredPair(double Distance, bool Same, int Fold);

/// <summary>A threshold and the accuracy it gives; a pair is called "same person" when its distance is below it.</summary>
public sealed record ThresholdChoice(double Threshold, double Accuracy);

/// <summary>One held-out fold: the threshold chosen on the other folds and the accuracy it gives on this one.</summary>
public sealed record FoldResult(int Fold, double Threshold, double TrainingAccuracy, double Accuracy);

/// <summary>
/// Mean and standard deviation of the held-out accuracies. The deviation is the population one (divide by the
/// number of folds), as numpy's default std in the customary LFW evaluation code.
/// </summary>
public sealed record VerificationResult(double MeanAccuracy, double StdAccuracy, double MeanThreshold, IReadOnlyList<FoldResult> Folds);

/// <summary>
/// The standard LFW verification benchmark: for each fold, the threshold is chosen on the other folds only, so
/// the reported accuracy never benefits from having seen the pairs it is measured on.
/// </summary>
public static class VerificationProtocol
{
    /// <summary>Each pair's L2 distance between the embeddings of its two images.</summary>
    public static IReadOnlyList<ScoredPair> Score(LfwPairs pairs, EmbeddingSet embeddings)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(embeddings);
        return pairs.Pairs.Select(pair => new ScoredPair(
            TensorPrimitives.Distance(embeddings.Row(IndexOf(embeddings, pair.FirstKey)), embeddings.Row(IndexOf(embeddings, pair.SecondKey))),
            pair.Same,
            pair.Fold)).ToArray();
    }

    /// <summary>Leave-one-fold-out over the folds present in <paramref name="pairs"/>.</summary>
    public static VerificationResult Evaluate(IReadOnlyList<ScoredPair> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var folds = pairs.Select(p => p.Fold).Distinct().Order().ToArray();
        if (folds.Length < 2)
        {
            throw new ArgumentException("cross-validation needs pairs from at least two folds", nameof(pairs));
        }

        var results = folds.Select(fold =>
        {
            var training = ChooseThreshold(pairs.Where(p => p.Fold != fold).ToArray());
            return new FoldResult(fold, training.Threshold, training.Accuracy, Accuracy(pairs.Where(p => p.Fold == fold).ToArray(), training.Threshold));
        }).ToArray();

        var mean = results.Average(r => r.Accuracy);
        var std = Math.Sqrt(results.Average(r => (r.Accuracy - mean) * (r.Accuracy - mean)));
        return new VerificationResult(mean, std, results.Average(r => r.Threshold), results);
    }

    /// <summary>The fraction of pairs classified correctly when "same" means distance &lt; threshold.</summary>
    public static double Accuracy(IReadOnlyCollection<ScoredPair> pairs, double threshold)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (pairs.Count == 0)
        {
            return 0;
        }

        return (double)pairs.Count(p => p.Distance < threshold == p.Same) / pairs.Count;
    }

    /// <summary>
    /// The threshold with the best accuracy on <paramref name="pairs"/>. Candidates are the midpoints between
    /// consecutive distinct distances plus one below the smallest (everything "different") and one above the
    /// largest (everything "same"); among equally accurate candidates the smallest wins, the stricter call.
    /// </summary>
    public static ThresholdChoice ChooseThreshold(IReadOnlyList<ScoredPair> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (pairs.Count == 0)
        {
            throw new ArgumentException("no pairs to choose a threshold on", nameof(pairs));
        }

        var sorted = pairs.OrderBy(p => p.Distance).ToArray();

        // Sweeping upwards, a threshold just above a distance turns every pair at that distance into "same":
        // same pairs become right, different pairs wrong. Start with everything "different".
        var correct = sorted.Count(p => !p.Same);
        var best = new ThresholdChoice(sorted[0].Distance - 1, (double)correct / sorted.Length);
        var bestCorrect = correct;
        for (var i = 0; i < sorted.Length;)
        {
            var distance = sorted[i].Distance;
            for (; i < sorted.Length && sorted[i].Distance == distance; i++)
            {
                correct += sorted[i].Same ? 1 : -1;
            }

            if (correct > bestCorrect)
            {
                bestCorrect = correct;
                var threshold = i < sorted.Length ? (distance + sorted[i].Distance) / 2 : distance + 1;
                best = new ThresholdChoice(threshold, (double)correct / sorted.Length);
            }
        }

        return best;
    }

    private static int IndexOf(EmbeddingSet embeddings, string key) =>
        embeddings.TryGetIndex(key, out var index)
            ? index
            : throw new KeyNotFoundException($"pairs.txt names '{key}', which is not among the embedded images; is the LFW source complete?");
}
