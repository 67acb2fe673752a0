using Rvs.Testing;
using Rvs.Index;
using Rvs.Index.Garnet;
using Rvs.Tests.Support;

namespace Rvs.Tests.Index.Garnet;

[Trait(TestTier.Name, TestTier.Full)]
[Collection("garnet-single")]
public class GarnetVectorIndexTests(SingleGarnetFixture fx)
{
    private const int Dims = 64;

    [Fact]
    public void single_node_search_matches_brute_force()
    {
        var faces = new SyntheticFaceVectors(Dims, seed: 1, perIdentity: 10);
        var data = faces.Vectors(400);
        using var index = fx.NewIndex(Dims, shards: 4);
        index.Add(Enumerable.Range(0, 400).Select(i => (long)i).ToArray(), data);

        Assert.Equal(400, index.Count);
        var queries = faces.Queries(40, 400, querySeed: 1, out _).Chunk(Dims).ToArray();
        var (recall, top1) = Recall.Measure(index, data, Dims, queries, 10);
        Assert.True(recall >= 0.95, $"recall@10 {recall:F3}");
        Assert.Equal(queries.Length, top1);

        // Distances are true L2 between unit vectors, the interface's contract whatever the server returns.
        var q = queries[0];
        var truth = BruteForce.Nearest(data, Dims, q, 1)[0];
        var hit = index.Search(q, 1)[0];
        Assert.Equal(truth.Distance, hit.Distance, 3);
    }

    [Fact]
    public void attributes_travel_with_each_face_and_come_back_on_hits()
    {
        var faces = new SyntheticFaceVectors(Dims, seed: 2, perIdentity: 4);
        var data = faces.Vectors(20);
        var ids = Enumerable.Range(100, 20).Select(i => (long)i).ToArray();
        var attrs = ids.Select(id => id % 2 == 0 ? $"{{\"path\":\"img/{id}.jpg\",\"label\":\"p{id % 5}\",\"box\":[1,2,3,4]}}" : null).ToArray();
        using var index = fx.NewIndex(Dims);
        index.Add(ids, data, attrs);

        var hits = index.Search(data.AsSpan(0, Dims), 20);
        Assert.Equal(20, hits.Count);
        Assert.Equal(100, hits[0].Id);
        foreach (var h in hits)
            Assert.Equal(h.Id % 2 == 0 ? $"{{\"path\":\"img/{h.Id}.jpg\",\"label\":\"p{h.Id % 5}\",\"box\":[1,2,3,4]}}" : null, h.Attributes);
    }

    [Fact]
    public void contains_count_and_remove()
    {
        var faces = new SyntheticFaceVectors(Dims, seed: 3, perIdentity: 1);
        using var index = fx.NewIndex(Dims, shards: 3);
        index.Add([1, 2, 3, long.MaxValue, -7], faces.Vectors(5));
        Assert.Equal(5, index.Count);
        Assert.True(index.Contains(long.MaxValue));
        Assert.True(index.Contains(-7));
        Assert.False(index.Contains(4));

        Assert.Equal(2, index.Remove([2, -7, 99]));
        Assert.Equal(3, index.Count);
        Assert.False(index.Contains(2));
        Assert.Equal(0, index.Remove([2]));
    }

    [Fact]
    public void add_replaces_an_existing_vector()
    {
        var faces = new SyntheticFaceVectors(Dims, seed: 4);
        var a = faces.Query(0);
        var b = faces.Query(1);
        using var index = fx.NewIndex(Dims, shards: 1);
        index.Add([5], a);
        index.Add([5], b);
        Assert.Equal(1, index.Count);
        Assert.Equal(0f, index.Search(b, 1)[0].Distance, 3);
    }

    [Fact]
    public void wrong_dimensions_are_argument_errors()
    {
        using var index = fx.NewIndex(Dims);
        Assert.Throws<ArgumentException>(() => index.Add([1], new float[Dims - 1]));
        Assert.Throws<ArgumentException>(() => index.Search(new float[Dims + 1], 5));
        Assert.Throws<ArgumentException>(() => index.Add([1], new float[Dims])); // zero vector: no direction
        Assert.Throws<ArgumentException>(() => index.Add([1, 2], new float[2 * Dims], ["{}"]));
    }

    [Fact]
    public void reopening_a_collection_with_another_layout_is_refused()
    {
        using var first = fx.NewIndex(Dims, shards: 4);
        var name = first.Options.Collection;
        var ex = Assert.ThrowsAny<GarnetIndexException>(() => fx.NewIndex(Dims, shards: 5, collection: name));
        Assert.Contains("shards=4", ex.Message, StringComparison.Ordinal);
        Assert.ThrowsAny<GarnetIndexException>(() => fx.NewIndex(Dims + 1, shards: 4, collection: name));
        using var again = fx.NewIndex(Dims, shards: 4, collection: name);
    }

    [Fact]
    public void no_server_at_the_endpoint_is_a_clear_error_naming_it()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        var port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        var ex = Assert.Throws<GarnetIndexException>(() =>
            new GarnetVectorIndex(new GarnetVectorIndexOptions($"127.0.0.1:{port}", TimeoutMs: 1000), 8));
        Assert.Contains($"127.0.0.1:{port}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void shard_of_is_stable_and_spreads()
    {
        // Pinned values: a change here would move existing faces to other keys.
        Assert.Equal(GarnetVectorIndex.ShardOf(0, 8), GarnetVectorIndex.ShardOf(0, 8));
        var counts = new int[8];
        for (long id = 0; id < 8000; id++) counts[GarnetVectorIndex.ShardOf(id, 8)]++;
        Assert.All(counts, c => Assert.InRange(c, 800, 1200));
        Assert.Equal([5, 2, 0, 0], new long[] { 1, 2, 3, 123456789 }.Select(id => GarnetVectorIndex.ShardOf(id, 8)).ToArray());
    }

    [Fact]
    public void search_with_status_is_complete_when_every_shard_answers()
    {
        var faces = new SyntheticFaceVectors(Dims, seed: 5, perIdentity: 1);
        using var index = fx.NewIndex(Dims, allowPartial: true);
        index.Add([1, 2, 3], faces.Vectors(3));
        var r = ((IVectorIndex)index).SearchWithStatus(faces.Query(0), 2);
        Assert.False(r.IsPartial);
        Assert.Null(r.Unavailable);
        Assert.Equal(2, r.Hits.Count);
    }
}
