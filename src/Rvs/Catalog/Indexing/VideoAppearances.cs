using Rvs.Embedding;

namespace Rvs.Catalog;

/// <summary>
/// Turns the faces of a video's sampled frames into one face per appearance: a face in one sampled frame continues
/// an appearance from the frame before when their embeddings are closer than the same-person distance (the 1:1
/// threshold measured for the collection's models, models/verification.json). Each appearance keeps its largest
/// face (the embedder gets the most pixels from it) and the time it was first seen. Someone who leaves the picture
/// and comes back is a new appearance, with the time they come back.
/// </summary>
internal sealed class VideoAppearances(float samePersonDistance)
{
    private readonly List<Appearance> _open = [];
    private readonly List<Appearance> _closed = [];

    /// <summary>The faces of the next sampled frame, shown at <paramref name="timeSeconds"/>.</summary>
    public void Add(double timeSeconds, IReadOnlyList<ProcessedFace> faces)
    {
        // Closest pairs first, so two people in the same frames keep their own appearances.
        var pairs = new List<(float Distance, Appearance Appearance, ProcessedFace Face)>();
        foreach (var appearance in _open)
        {
            foreach (var face in faces)
            {
                var distance = VectorMath.Distance(appearance.Last.Embedding, face.Embedding);
                if (distance < samePersonDistance)
                {
                    pairs.Add((distance, appearance, face));
                }
            }
        }

        var continued = new HashSet<Appearance>();
        var placed = new HashSet<ProcessedFace>();
        foreach (var (_, appearance, face) in pairs.OrderBy(p => p.Distance))
        {
            if (!continued.Contains(appearance) && placed.Add(face))
            {
                continued.Add(appearance);
                appearance.Continue(face);
            }
        }

        _closed.AddRange(_open.Where(a => !continued.Contains(a)));
        _open.RemoveAll(a => !continued.Contains(a));
        _open.AddRange(faces.Where(f => !placed.Contains(f)).Select(f => new Appearance(timeSeconds, f)));
    }

    /// <summary>Every appearance's best face, carrying the time it first appears, in order of appearance.</summary>
    public List<ProcessedFace> Faces() =>
        [.. _closed.Concat(_open).OrderBy(a => a.Start).Select(a => a.Best with { TimeSeconds = a.Start })];

    private sealed class Appearance(double start, ProcessedFace first)
    {
        public double Start { get; } = start;

        public ProcessedFace Last { get; private set; } = first;

        public ProcessedFace Best { get; private set; } = first;

        public void Continue(ProcessedFace face)
        {
            Last = face;
            if (Area(face) > Area(Best))
            {
                Best = face;
            }
        }

        private static float Area(ProcessedFace face) => face.Face.Box.Width * face.Face.Box.Height;
    }
}
