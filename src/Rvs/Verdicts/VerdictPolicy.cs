namespace Rvs.Verdicts;

/// <summary>
/// A search's answer: <see cref="Verdict.Match"/> with the rank of the matching hit (always the top hit), or
/// <see cref="Verdict.None"/> ("no match in this collection", the closest faces still shown), and one verdict per hit.
/// </summary>
public sealed record SearchAnswer(Verdict Verdict, int? MatchRank, IReadOnlyList<Verdict> Hits)
{
    public bool IsMatch => Verdict == Verdict.Match;
}

/// <summary>
/// Turns distances into verdicts for one collection at one moment. Build it per search (the collection's face count
/// is known then, and the threshold follows it as the collection grows):
/// <code>
/// var calibration = OpenSetCalibration.Find(OpenSetCalibration.DefaultPath, pipeline.ModelId);
/// var pair = VerificationThresholds.Find(VerificationThresholds.DefaultPath, pipeline.ModelId);
/// var policy = VerdictPolicy.For(calibration, pair.Threshold, collectionFaceCount, targetFpir);
/// var answer = policy.Answer(hits.Select(h => (double)h.Distance).ToList());
/// </code>
/// A hit is <see cref="Verdict.Match"/> under <see cref="MatchThreshold"/>, <see cref="Verdict.Possible"/> under
/// <see cref="PossibleThreshold"/> only, else <see cref="Verdict.None"/>. The answer follows the open-set protocol
/// (EVALUATION.md): the result is a match exactly when its top hit is.
/// </summary>
public sealed class VerdictPolicy
{
    /// <param name="matchThreshold">Distance under which a hit is a match (the open-set threshold for this collection).</param>
    /// <param name="possibleThreshold">Distance under which a hit is at least possible (the 1:1 pair threshold).</param>
    public VerdictPolicy(double matchThreshold, double possibleThreshold)
    {
        if (!(matchThreshold >= 0) || !(possibleThreshold >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(matchThreshold), "thresholds are distances, zero or more");
        }

        // A match is never looser than the 1:1 decision, so every "match" is also "same person" by `rvs verify`;
        // in a collection of a few faces the open-set threshold alone would be looser than that.
        MatchThreshold = Math.Min(matchThreshold, possibleThreshold);
        PossibleThreshold = possibleThreshold;
    }

    public double MatchThreshold { get; }

    public double PossibleThreshold { get; }

    /// <summary>
    /// The policy for a collection of <paramref name="galleryFaces"/> faces at <paramref name="targetFpir"/>, from the
    /// calibration and the 1:1 threshold measured for the same model id. Without a calibration (an unmeasured model)
    /// nothing can be called a match honestly, so hits are at most possible.
    /// </summary>
    public static VerdictPolicy For(OpenSetCalibration? calibration, double pairThreshold, long galleryFaces, double targetFpir = OpenSetCalibration.DefaultTargetFpir)
    {
        var open = calibration?.ThresholdFor(galleryFaces, targetFpir) ?? 0;
        return new VerdictPolicy(open, pairThreshold);
    }

    public Verdict Judge(double distance) =>
        distance < MatchThreshold ? Verdict.Match : distance < PossibleThreshold ? Verdict.Possible : Verdict.None;

    /// <summary>Verdicts for hits given nearest first, and the result's answer.</summary>
    public SearchAnswer Answer(IReadOnlyList<double> distancesNearestFirst)
    {
        ArgumentNullException.ThrowIfNull(distancesNearestFirst);
        var verdicts = distancesNearestFirst.Select(Judge).ToArray();
        return verdicts.Length > 0 && verdicts[0] == Verdict.Match
            ? new SearchAnswer(Verdict.Match, 0, verdicts)
            : new SearchAnswer(Verdict.None, null, verdicts);
    }
}
