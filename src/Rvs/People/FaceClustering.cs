using Rvs.Embedding;
using Rvs.Index;

namespace Rvs.People;

/// <summary>
/// Groups faces into persons by their nearest neighbours in a vector index (never an all-pairs matrix), in the
/// manner of average-linkage agglomeration: candidate links are the index's neighbours nearer than
/// <see cref="ClusteringOptions.LinkDistance"/>, taken nearest first, and a link joins two groups only when the
/// mean distance between their sampled members is below <see cref="ClusteringOptions.MergeDistance"/> and the user's
/// constraints allow it. A single close pair therefore cannot chain two people together, which is how
/// nearest-neighbour rules (DBSCAN-like) end up merging siblings.
/// </summary>
/// <remarks>
/// The same rule serves a full run (<see cref="Cluster"/>) and one new face (<see cref="Add"/>): a new face costs one
/// index search of <see cref="ClusteringOptions.Neighbours"/> and at most that many bounded mean-distance checks,
/// whatever the collection's size. Not thread-safe.
/// </remarks>
public sealed class FaceClustering
{
    private readonly ClusteringOptions _options;
    private readonly Func<float[], int, IReadOnlyList<VectorHit>> _nearest;
    private readonly Func<long, float[]?> _embeddingOf;
    private readonly ClusteringConstraints _constraints;
    private readonly Dictionary<long, Group> _groupOf = [];

    /// <param name="index">Holds the embeddings of every face to cluster (and may hold others, which are ignored).</param>
    /// <param name="embeddingOf">The unit embedding of a face id, or null where the face is unknown.</param>
    public FaceClustering(ClusteringOptions options, IVectorIndex index, Func<long, float[]?> embeddingOf, ClusteringConstraints? constraints = null)
        : this(options, NearestIn(index), embeddingOf, constraints)
    {
    }

    /// <param name="nearest">The k faces nearest to a vector, nearest first (a collection's own index search).</param>
    public FaceClustering(ClusteringOptions options, Func<float[], int, IReadOnlyList<VectorHit>> nearest, Func<long, float[]?> embeddingOf, ClusteringConstraints? constraints = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(nearest);
        ArgumentNullException.ThrowIfNull(embeddingOf);
        options.Validate();
        _options = options;
        _nearest = nearest;
        _embeddingOf = embeddingOf;
        _constraints = constraints ?? ClusteringConstraints.None;
    }

    public int FaceCount => _groupOf.Count;

    /// <summary>Clusters <paramref name="faces"/> from scratch (forgetting any earlier state) and returns the groups.</summary>
    public IReadOnlyList<FaceCluster> Cluster(IReadOnlyList<ClusterFace> faces)
    {
        ArgumentNullException.ThrowIfNull(faces);
        _groupOf.Clear();
        var vectors = new Dictionary<long, float[]>(faces.Count);
        foreach (var face in faces)
        {
            var vector = _embeddingOf(face.Id) ?? throw new ArgumentException($"face {face.Id} has no embedding", nameof(faces));
            vectors[face.Id] = vector;
            _groupOf[face.Id] = new Group(face, _constraints);
        }

        // Pinned faces of one person start together, whatever their distances: the user said so.
        var firstPinned = new Dictionary<long, Group>();
        foreach (var face in faces)
        {
            if (_constraints.PinOf(face.Id) is { } person)
            {
                if (firstPinned.TryGetValue(person, out var group))
                {
                    Absorb(Find(face.Id), group);
                }
                else
                {
                    firstPinned[person] = Find(face.Id);
                }
            }
        }

        foreach (var (a, b, _) in CandidateLinks(faces, vectors))
        {
            var first = Find(a);
            var second = Find(b);
            if (!ReferenceEquals(first, second) && MayJoin(first, second))
            {
                Absorb(first, second);
            }
        }

        return Groups();
    }

    /// <summary>
    /// Takes groups decided earlier (the catalog's persons) as they stand, forgetting any other state, so that new
    /// faces can be placed among them with <see cref="Add"/> without clustering everything again.
    /// </summary>
    public void Restore(IEnumerable<IReadOnlyList<ClusterFace>> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        _groupOf.Clear();
        foreach (var members in groups)
        {
            for (var i = 0; i < members.Count; i++)
            {
                _groupOf[members[i].Id] = new Group(members[i], _constraints);
                if (i > 0)
                {
                    Absorb(Find(members[0].Id), Find(members[i].Id));
                }
            }
        }
    }

    /// <summary>
    /// Places one new face (already added to the index): it joins the nearest group it may join, founds a group of
    /// its own, or, when it may join two groups that may also join each other, merges them.
    /// Returns the face's group after the change.
    /// </summary>
    public FaceCluster Add(ClusterFace face)
    {
        var vector = _embeddingOf(face.Id) ?? throw new ArgumentException($"face {face.Id} has no embedding", nameof(face));
        if (_groupOf.ContainsKey(face.Id))
        {
            throw new ArgumentException($"face {face.Id} is already clustered", nameof(face));
        }

        var own = new Group(face, _constraints);
        _groupOf[face.Id] = own;
        foreach (var hit in _nearest(vector, _options.Neighbours + 1))
        {
            if (hit.Distance >= _options.LinkDistance)
            {
                break;
            }

            if (hit.Id == face.Id || !_groupOf.ContainsKey(hit.Id))
            {
                continue;
            }

            var candidate = Find(hit.Id);
            var current = Find(face.Id);
            if (!ReferenceEquals(candidate, current) && MayJoin(current, candidate))
            {
                Absorb(current, candidate);
            }
        }

        return Snapshot(Find(face.Id));
    }

    /// <summary>The current groups, largest first (ties by smallest face id).</summary>
    public IReadOnlyList<FaceCluster> Groups() =>
        [.. _groupOf.Values.Distinct().Select(Snapshot).OrderByDescending(g => g.Faces.Count).ThenBy(g => g.Faces[0])];

    /// <summary>The group of a clustered face.</summary>
    public FaceCluster GroupOf(long faceId) => Snapshot(Find(faceId));

    /// <summary>Mean distance between up to <see cref="ClusteringOptions.Representatives"/> members of each group.</summary>
    private float MeanDistance(Group a, Group b)
    {
        var sum = 0.0;
        var count = 0;
        foreach (var x in Representatives(a))
        {
            var u = _embeddingOf(x)!;
            foreach (var y in Representatives(b))
            {
                sum += VectorMath.Distance(u, _embeddingOf(y)!);
                count++;
            }
        }

        return (float)(sum / count);
    }

    /// <summary>Evenly spaced members, so a long-grown group is represented across its whole history.</summary>
    private IEnumerable<long> Representatives(Group group)
    {
        var members = group.Members;
        var take = Math.Min(members.Count, _options.Representatives);
        for (var i = 0; i < take; i++)
        {
            yield return members[(int)((long)i * members.Count / take)];
        }
    }

    private bool MayJoin(Group a, Group b) =>
        a.Allows(b) && b.Allows(a) && MeanDistance(a, b) < _options.MergeDistance;

    /// <summary>Each face's index neighbours nearer than the link distance, each pair once, nearest first.</summary>
    private List<(long A, long B, float Distance)> CandidateLinks(IReadOnlyList<ClusterFace> faces, Dictionary<long, float[]> vectors)
    {
        var perFace = new List<(long, long, float)>[faces.Count];
        Parallel.For(0, faces.Count, i =>
        {
            var id = faces[i].Id;
            var links = new List<(long, long, float)>();
            foreach (var hit in _nearest(vectors[id], _options.Neighbours + 1))
            {
                if (hit.Distance >= _options.LinkDistance)
                {
                    break;
                }

                if (hit.Id != id && vectors.ContainsKey(hit.Id))
                {
                    links.Add((Math.Min(id, hit.Id), Math.Max(id, hit.Id), hit.Distance));
                }
            }

            perFace[i] = links;
        });

        return [.. perFace.SelectMany(l => l).Distinct().OrderBy(l => l.Item3).ThenBy(l => l.Item1).ThenBy(l => l.Item2)];
    }

    private static Func<float[], int, IReadOnlyList<VectorHit>> NearestIn(IVectorIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        return (vector, k) => index.Search(vector, k);
    }

    private Group Find(long faceId) => _groupOf[faceId];

    /// <summary>Moves the smaller group into the larger, so each face moves O(log n) times over a whole run.</summary>
    private void Absorb(Group a, Group b)
    {
        var (keep, gone) = a.Members.Count >= b.Members.Count ? (a, b) : (b, a);
        foreach (var member in gone.Members)
        {
            _groupOf[member] = keep;
        }

        keep.Take(gone);
    }

    private static FaceCluster Snapshot(Group group) => new([.. group.Members.Order()], group.Pin, group.Founded);

    private sealed class Group
    {
        public Group(ClusterFace face, ClusteringConstraints constraints)
        {
            Members = [face.Id];
            Pin = constraints.PinOf(face.Id);
            Founded = !face.LowQuality;
            if (constraints.ExclusionsOf(face.Id) is { } excluded)
            {
                Excluded = [.. excluded];
            }
        }

        public List<long> Members { get; }

        public long? Pin { get; private set; }

        public bool Founded { get; private set; }

        public HashSet<long>? Excluded { get; private set; }

        /// <summary>Whether this group's constraints let <paramref name="other"/> join it.</summary>
        public bool Allows(Group other) =>
            !(Pin is { } mine && other.Pin is { } theirs && mine != theirs)
            && !(other.Pin is { } pin && Excluded is { } excluded && excluded.Contains(pin));

        public void Take(Group other)
        {
            Members.AddRange(other.Members);
            Pin ??= other.Pin;
            Founded |= other.Founded;
            if (other.Excluded is { } excluded)
            {
                (Excluded ??= []).UnionWith(excluded);
            }
        }
    }
}
