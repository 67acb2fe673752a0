using Rvs.Embedding;

namespace Rvs.Catalog;

/// <summary>
/// Puts a photo's label (its folder's name, or the label given with an upload) on the one face that is that person,
/// never on the bystanders. The only face of a single-face photo is the person. In a photo with several faces the
/// person is the face that agrees with the label's other faces: nearest the centroid of the faces of the label's
/// single-face photos (or, when the label has none, of the face each photo shares best with the others), and only
/// if it is within the same-person distance of one of them. Only a label with one photo falls back to its largest face.
/// </summary>
/// <remarks>
/// The rule needs no threshold of its own: the same-person distance is the 1:1 pair threshold measured on LFW for
/// the collection's models (models/verification.json), passed in by the caller; without one, the nearest face wins.
/// </remarks>
internal static class FaceLabeller
{
    /// <summary>One candidate face: its photo, its box area (to find the largest) and its unit embedding.</summary>
    public sealed record Candidate(long ImageId, long FaceId, float Area, float[] Embedding);

    /// <summary>The face of each photo of one label that should carry it (photos with no agreeing face get none).</summary>
    public static IEnumerable<long> Choose(IReadOnlyList<Candidate> faces, float? samePersonDistance)
    {
        var photos = faces.GroupBy(f => f.ImageId).Select(g => g.ToList()).ToList();
        if (photos.Count == 1)
        {
            // No other photo to agree with: the largest face is the best guess for a portrait.
            yield return photos[0].MaxBy(f => f.Area)!.FaceId;
            yield break;
        }

        var anchors = photos.Where(p => p.Count == 1).Select(p => p[0]).ToList();
        if (anchors.Count == 0)
        {
            anchors = [.. photos.Select(p => p.MaxBy(f => BestMatchElsewhere(f, faces))!)];
        }

        foreach (var anchor in photos.Where(p => p.Count == 1))
        {
            yield return anchor[0].FaceId;
        }

        foreach (var photo in photos.Where(p => p.Count > 1))
        {
            var others = anchors.Where(a => a.ImageId != photo[0].ImageId).ToList();
            if (others.Count == 0)
            {
                continue;
            }

            var centroid = Centroid(others);
            var chosen = photo.MaxBy(f => VectorMath.Dot(f.Embedding, centroid))!;
            var nearest = others.Min(a => VectorMath.Distance(chosen.Embedding, a.Embedding));
            if (samePersonDistance is not { } limit || nearest < limit)
            {
                yield return chosen.FaceId;
            }
        }
    }

    private static float BestMatchElsewhere(Candidate face, IReadOnlyList<Candidate> all) =>
        all.Where(o => o.ImageId != face.ImageId).Select(o => VectorMath.Dot(face.Embedding, o.Embedding)).DefaultIfEmpty(-1f).Max();

    private static float[] Centroid(IReadOnlyList<Candidate> faces)
    {
        var sum = new float[faces[0].Embedding.Length];
        foreach (var face in faces)
        {
            for (var i = 0; i < sum.Length; i++)
            {
                sum[i] += face.Embedding[i];
            }
        }

        VectorMath.Normalize(sum);
        return sum;
    }
}
