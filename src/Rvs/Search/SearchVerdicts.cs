using Rvs.Catalog;
using Rvs.Evaluation;
using Rvs.Verdicts;

namespace Rvs.Search;

/// <summary>
/// A result list with its answer: each hit's verdict (match / possible / none) and the one sentence every surface
/// shows first: "match: &lt;label or face&gt;" or "no match in this collection (closest faces shown)"; then the hits
/// grouped by person (<see cref="Persons"/>: empty until the collection is clustered).
/// </summary>
public sealed record AnsweredHits(IReadOnlyList<SearchHit> Hits, SearchAnswer? Answer, VerdictPolicy? Policy, IReadOnlyList<PersonGroup>? Groups = null)
{
    public IReadOnlyList<PersonGroup> Persons => Groups ?? [];

    /// <summary>The verdict of the hit at <paramref name="index"/> (None when the models have no measured thresholds).</summary>
    public Verdict VerdictOf(int index) => Answer is { } a && index < a.Hits.Count ? a.Hits[index] : Verdict.None;

    public bool IsMatch => Answer?.IsMatch == true;

    /// <summary>The answer in words; null when the collection's models have no measured thresholds to decide with.</summary>
    public string? Text => Answer is null
        ? null
        : IsMatch
            ? $"match: {Describe(Hits[0])}"
            : "no match in this collection (closest faces shown)";

    // A video's hit also says when in the video the person appears, since that is where the user will look.
    private string Describe(SearchHit hit)
    {
        var who = hit.Label ?? Persons.FirstOrDefault(p => p.Hits.Contains(hit))?.Name;
        var when = hit.TimeSeconds is { } t ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" at {t:0.##} s") : "";
        var file = Path.GetFileName(hit.Path);
        return who is null ? $"face {hit.FaceId} in {file}{when}" : when.Length == 0 ? who : $"{who} (in {file}{when})";
    }
}

/// <summary>
/// Decides verdicts for a collection: the open-set threshold for its current face count at a target false-positive
/// identification rate (models/open-set.json), under the 1:1 pair threshold (models/verification.json), both
/// measured for the collection's model id. Both files are read once, when this is made (a server makes one for its
/// life); the face count is read at each search, so the threshold follows the collection as it grows. The hits are
/// grouped by person here too, so every surface that answers a search shows the same persons.
/// </summary>
public sealed class SearchVerdicts
{
    private readonly FaceCollection _collection;
    private readonly float? _pairThreshold;
    private readonly OpenSetCalibration? _calibration;
    private readonly PersonGrouping _persons;

    public SearchVerdicts(FaceCollection collection, double targetFpir = OpenSetCalibration.DefaultTargetFpir)
    {
        ArgumentNullException.ThrowIfNull(collection);
        TargetFpir = targetFpir is > 0 and < 1
            ? targetFpir
            : throw new Errors.InvalidRequestException($"the target false-positive identification rate must lie between 0 and 1 (got {targetFpir})");
        _collection = collection;
        _pairThreshold = VerificationThresholds.SamePersonDistance(collection.Pipeline.ModelId);
        _calibration = _pairThreshold is null ? null : OpenSetCalibration.Find(OpenSetCalibration.DefaultPath, collection.Pipeline.ModelId);
        _persons = PersonGrouping.ForCollection(collection);
    }

    public double TargetFpir { get; }

    /// <summary>The policy for the collection as it is now; null when no pair threshold was measured for its models.</summary>
    public VerdictPolicy? Policy() =>
        _pairThreshold is { } pair ? VerdictPolicy.For(_calibration, pair, _collection.GalleryFaces, TargetFpir) : null;

    public AnsweredHits Answer(IReadOnlyList<SearchHit> hits)
    {
        ArgumentNullException.ThrowIfNull(hits);
        var policy = Policy();
        return new AnsweredHits(hits, policy?.Answer([.. hits.Select(h => (double)h.Distance)]), policy, _persons.Group(hits));
    }
}
