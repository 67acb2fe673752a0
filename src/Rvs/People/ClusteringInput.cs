namespace Rvs.People;

/// <summary>
/// One face to place. <paramref name="LowQuality"/> marks a face too small or too weakly detected to vouch for a new
/// person on its own: it may join a person, but a person made only of such faces is not reported.
/// </summary>
public readonly record struct ClusterFace(long Id, bool LowQuality = false);

/// <summary>
/// What the user has said, in face ids of the current run: <see cref="Pins"/> fixes a face to a person (from a
/// merge, split or move); <see cref="Exclusions"/> says a face is not a person ("not this person"). Clustering
/// never puts two faces pinned to different persons together, nor a face with a face pinned to a person it is
/// excluded from.
/// </summary>
public sealed record ClusteringConstraints(
    IReadOnlyDictionary<long, long> Pins,
    IReadOnlyDictionary<long, IReadOnlySet<long>> Exclusions)
{
    public static ClusteringConstraints None { get; } = new(new Dictionary<long, long>(), new Dictionary<long, IReadOnlySet<long>>());

    public long? PinOf(long faceId) => Pins.TryGetValue(faceId, out var person) ? person : null;

    public IReadOnlySet<long>? ExclusionsOf(long faceId) => Exclusions.TryGetValue(faceId, out var persons) ? persons : null;
}

/// <summary>
/// One group of faces the clusterer believes show one person. <see cref="Pin"/> is the person the user fixed some
/// of its faces to, if any; <see cref="Founded"/> is false when only low-quality faces are in it (report none).
/// </summary>
public sealed record FaceCluster(IReadOnlyList<long> Faces, long? Pin, bool Founded);
