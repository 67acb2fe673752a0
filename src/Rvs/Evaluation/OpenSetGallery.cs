using System.Security.Cryptography;
using System.Text;
using Rvs.Index;

namespace Rvs.Evaluation;

/// <summary>
/// The people and galleries of the open-set protocol on an embedded LFW: the fixed split of people into a
/// calibration half and a measurement half, the gallery of EVALUATION.md (every image of a person with two or more
/// images) and its cuts to smaller sizes, and the top hit of each query.
/// </summary>
public sealed class OpenSetGallery
{
    private readonly string[] _labels;

    public OpenSetGallery(EmbeddingSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        Set = set;
        _labels = set.Labels();
        var imagesOf = _labels.GroupBy(l => l, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

        // Whole people in the order of their name's hash, so that a cut to N images keeps people together (only the
        // last one may be split) and mixes both halves of the split, without depending on the archive's order.
        FullGallery = [.. Enumerable.Range(0, set.Count)
            .Where(i => imagesOf[_labels[i]] >= 2)
            .OrderBy(i => PersonHash(_labels[i]), StringComparer.Ordinal)
            .ThenBy(i => set.Keys[i], StringComparer.Ordinal)];
        CalibrationRows = [.. Enumerable.Range(0, set.Count).Where(i => IsCalibrationPerson(_labels[i]))];
        MeasurementRows = [.. Enumerable.Range(0, set.Count).Where(i => !IsCalibrationPerson(_labels[i]))];
    }

    public EmbeddingSet Set { get; }

    /// <summary>The person of each row of <see cref="Set"/>.</summary>
    public IReadOnlyList<string> Labels => _labels;

    /// <summary>EVALUATION.md's gallery: the images of people with two or more images, in cut order.</summary>
    public IReadOnlyList<int> FullGallery { get; }

    /// <summary>Rows of the people the open-set calibration is made from.</summary>
    public IReadOnlyList<int> CalibrationRows { get; }

    /// <summary>Rows of the other people, on which the calibration is measured out of sample.</summary>
    public IReadOnlyList<int> MeasurementRows { get; }

    /// <summary>
    /// The fixed split of people: the calibration half holds the people whose SHA-256 of the UTF-8 name has an even
    /// first byte. A hash, not the alphabet, so neither half favours a region's names; fixed, so runs agree.
    /// </summary>
    public static bool IsCalibrationPerson(string person) => (SHA256.HashData(Encoding.UTF8.GetBytes(person))[0] & 1) == 0;

    /// <summary>The first <paramref name="size"/> images of <see cref="FullGallery"/>.</summary>
    public IReadOnlyList<int> Cut(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, FullGallery.Count);
        return [.. FullGallery.Take(size)];
    }

    /// <summary>
    /// Each query searched against <paramref name="gallery"/> without itself. A query is mated when its person has
    /// another image in the gallery; otherwise it is a stranger to it.
    /// </summary>
    public OpenSetQuery[] Search(IReadOnlyList<int> gallery, IReadOnlyList<int> queries)
    {
        ArgumentNullException.ThrowIfNull(gallery);
        ArgumentNullException.ThrowIfNull(queries);
        var inGallery = gallery.GroupBy(row => _labels[row], StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var member = new HashSet<int>(gallery);
        using var index = new ExactVectorIndex(Set.Dimensions, gallery.Count);
        var vectors = new float[(long)gallery.Count * Set.Dimensions];
        for (var i = 0; i < gallery.Count; i++)
        {
            Set.Row(gallery[i]).CopyTo(vectors.AsSpan(i * Set.Dimensions, Set.Dimensions));
        }

        index.Add([.. gallery.Select(row => (long)row)], vectors);
        var results = new OpenSetQuery[queries.Count];
        Parallel.For(0, queries.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var query = queries[i];
            var label = _labels[query];
            var others = inGallery.GetValueOrDefault(label) - (member.Contains(query) ? 1 : 0);
            var hits = index.Search(Set.Row(query), 2).Where(hit => hit.Id != query).ToArray();

            // A gallery of nothing but the query itself answers nothing: no distance is under any threshold.
            results[i] = hits.Length == 0
                ? new OpenSetQuery(double.PositiveInfinity, others > 0, false)
                : new OpenSetQuery(hits[0].Distance, others > 0, _labels[(int)hits[0].Id] == label);
        });
        return results;
    }

    private static string PersonHash(string person) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(person)));
}
