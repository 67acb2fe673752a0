using Rvs.Index;
using Rvs.People;

namespace Rvs.Tests.People;

/// <summary>
/// Faces as 2-d unit vectors at angles (radians): the distance between angles a and b is 2·sin(|a−b|/2), so
/// nearness is set by hand. Link 0.15 admits neighbours up to about 0.15 rad apart; merge 0.5 admits groups whose
/// members are on average up to about 0.5 rad apart.
/// </summary>
public sealed class FaceClusteringTests : IDisposable
{
    private static readonly ClusteringOptions Options = new(LinkDistance: 0.15f, MergeDistance: 0.5f, Neighbours: 8, Representatives: 4);

    private readonly Dictionary<long, float[]> _vectors = [];
    private readonly ExactVectorIndex _index = new(2);

    private FaceClustering Clustering(ClusteringConstraints? constraints = null) => new(Options, _index, id => _vectors.GetValueOrDefault(id), constraints);

    private ClusterFace[] Faces(long firstId, params double[] angles) =>
        [.. angles.Select((angle, i) => Face(firstId + i, angle))];

    private ClusterFace Face(long id, double angle, bool lowQuality = false)
    {
        var vector = new[] { (float)Math.Cos(angle), (float)Math.Sin(angle) };
        _vectors[id] = vector;
        _index.Add([id], vector);
        return new ClusterFace(id, lowQuality);
    }

    private static long[][] Members(IReadOnlyList<FaceCluster> groups) => [.. groups.Select(g => g.Faces.ToArray())];

    [Fact]
    public void two_separate_tight_groups_become_two_persons()
    {
        var faces = Faces(1, 0.00, 0.05, 0.10).Concat(Faces(11, 2.00, 2.05, 2.10)).ToArray();

        var groups = Clustering().Cluster(faces);

        Assert.Equal([[1, 2, 3], [11, 12, 13]], Members(groups));
        Assert.All(groups, g => Assert.True(g.Founded));
    }

    [Fact]
    public void a_chain_of_close_pairs_does_not_join_two_distant_groups()
    {
        // Every step of 0.1 rad is a link, so single linkage would make one group of 0.0 … 1.2; the mean distance
        // between the two ends is far above the merge distance.
        var faces = Faces(1, [.. Enumerable.Range(0, 13).Select(i => i * 0.1)]);

        var groups = Clustering().Cluster(faces);

        Assert.True(groups.Count > 1);
        Assert.NotEqual(groups.Single(g => g.Faces.Contains(1)), groups.Single(g => g.Faces.Contains(13)));
    }

    [Fact]
    public void faces_pinned_to_different_persons_stay_apart_however_close()
    {
        var faces = Faces(1, 0.00, 0.02, 0.04, 0.06);
        var pins = new Dictionary<long, long> { [1] = 100, [4] = 200 };

        var groups = Clustering(new ClusteringConstraints(pins, new Dictionary<long, IReadOnlySet<long>>())).Cluster(faces);

        Assert.Equal(100, groups.Single(g => g.Faces.Contains(1)).Pin);
        Assert.Equal(200, groups.Single(g => g.Faces.Contains(4)).Pin);
        Assert.NotEqual(groups.Single(g => g.Faces.Contains(1)), groups.Single(g => g.Faces.Contains(4)));
    }

    [Fact]
    public void faces_pinned_to_one_person_are_together_however_far()
    {
        var faces = Faces(1, 0.0, 3.0);
        var pins = new Dictionary<long, long> { [1] = 100, [2] = 100 };

        var groups = Clustering(new ClusteringConstraints(pins, new Dictionary<long, IReadOnlySet<long>>())).Cluster(faces);

        Assert.Equal([[1, 2]], Members(groups));
    }

    [Fact]
    public void a_face_marked_not_this_person_is_kept_out_of_the_group_pinned_to_that_person()
    {
        var faces = Faces(1, 0.00, 0.02, 0.04);
        var constraints = new ClusteringConstraints(
            new Dictionary<long, long> { [1] = 100 },
            new Dictionary<long, IReadOnlySet<long>> { [3] = new HashSet<long> { 100 } });

        var groups = Clustering(constraints).Cluster(faces);

        Assert.Contains(groups, g => g.Faces.SequenceEqual([1L, 2]) && g.Pin == 100);
        Assert.Contains(groups, g => g.Faces.SequenceEqual([3L]) && g.Pin is null);
    }

    [Fact]
    public void low_quality_faces_join_a_person_but_do_not_found_one()
    {
        var faces = new[]
        {
            Face(1, 0.00), Face(2, 0.05), Face(3, 0.10, lowQuality: true),
            Face(11, 2.00, lowQuality: true), Face(12, 2.05, lowQuality: true),
        };

        var groups = Clustering().Cluster(faces);

        Assert.True(groups.Single(g => g.Faces.Contains(3)).Founded);
        Assert.Equal([1L, 2, 3], groups.Single(g => g.Faces.Contains(3)).Faces);
        Assert.False(groups.Single(g => g.Faces.Contains(11)).Founded);
    }

    [Fact]
    public void a_new_face_joins_the_near_person_or_founds_its_own()
    {
        var clustering = Clustering();
        clustering.Cluster(Faces(1, 0.00, 0.05, 0.10));

        var joined = clustering.Add(Face(4, 0.12));
        var founded = clustering.Add(Face(5, 1.50));

        Assert.Equal([1L, 2, 3, 4], joined.Faces);
        Assert.Equal([5L], founded.Faces);
        Assert.Equal(2, clustering.Groups().Count);
    }

    [Fact]
    public void a_new_face_between_two_groups_of_one_person_merges_them()
    {
        // 0.0–0.1 and 0.3–0.4 have no link between them (0.2 rad apart); 0.2 links both and the groups' mean
        // distance (about 0.3 rad) is within the merge distance.
        var clustering = Clustering();
        Assert.Equal(2, clustering.Cluster(Faces(1, 0.00, 0.05, 0.10).Concat(Faces(11, 0.30, 0.35, 0.40)).ToArray()).Count);

        var merged = clustering.Add(Face(20, 0.20));

        Assert.Equal([1L, 2, 3, 11, 12, 13, 20], merged.Faces);
        Assert.Single(clustering.Groups());
    }

    [Fact]
    public void adding_an_already_clustered_face_is_refused()
    {
        var clustering = Clustering();
        clustering.Cluster(Faces(1, 0.0));

        Assert.Throws<ArgumentException>(() => clustering.Add(new ClusterFace(1)));
    }

    public void Dispose() => _index.Dispose();
}
