using Rvs.Testing;
using System.Globalization;
using Rvs.Index;
using Rvs.Index.Garnet;
using Rvs.Tests.Support;

namespace Rvs.Tests.Index.Garnet;

/// <summary>Tests that kill servers; each starts its own so no other test sees the damage.</summary>
[Trait(TestTier.Name, TestTier.Full)]
public class GarnetFailureTests
{
    private const int Dims = 32;

    [Fact]
    public async Task acknowledged_vectors_survive_kill_9_with_aof_and_recover()
    {
        using var servers = await GarnetServers.StartAsync(nodes: 1, durable: true);
        var node = servers.Nodes[0];
        var faces = new SyntheticFaceVectors(Dims, seed: 31, perIdentity: 15);
        var options = new GarnetVectorIndexOptions(servers.Endpoints, "dur", Shards: 4);
        var ids = Enumerable.Range(0, 300).Select(i => (long)i).ToArray();
        using (var index = new GarnetVectorIndex(options, Dims))
        {
            index.Add(ids, faces.Vectors(300), ids.Select(i => $"{{\"i\":{i}}}").ToArray());
            Assert.Equal(300, index.Count);
        }

        node.Kill();
        node.Start();
        await node.WaitReadyAsync(TimeSpan.FromSeconds(40));

        using var c = new RespClient(node.Port);
        using var after = new GarnetVectorIndex(options, Dims);
        var vcard = Enumerable.Range(0, 4).Sum(s => (long)c.Call("VCARD", after.ShardKeyName(s))!);
        Assert.Equal(300, vcard);
        var missing = ids.Where(id => !Equals(c.Call("VISMEMBER", after.ShardKeyName(GarnetVectorIndex.ShardOf(id, 4)), id.ToString(CultureInfo.InvariantCulture)), 1L)).ToArray();
        Assert.Empty(missing);
        Assert.Equal("{\"i\":7}", after.Search(faces.Query(faces.IdentityOf(7)), 300).Single(h => h.Id == 7).Attributes);
    }

    [Fact]
    public async Task a_node_down_fails_naming_it_or_with_allow_partial_returns_the_rest_marked_partial()
    {
        using var servers = await GarnetServers.StartAsync(nodes: 2, cluster: true);
        var faces = new SyntheticFaceVectors(Dims, seed: 41, perIdentity: 10);
        var data = faces.Vectors(200);
        var options = new GarnetVectorIndexOptions(servers.Endpoints, "down", Shards: 6, SearchEf: 200, TimeoutMs: 3000);
        using var strict = new GarnetVectorIndex(options, Dims);
        using var lenient = new GarnetVectorIndex(options with { AllowPartial = true }, Dims);
        strict.Add(Enumerable.Range(0, 200).Select(i => (long)i).ToArray(), data);
        Assert.Equal(200, strict.Search(faces.Query(0), 200).Count);

        var dead = servers.Nodes[1];
        int[] deadShards;
        using (var c = new RespClient(servers.Nodes[0].Port))
        {
            var from = 16384 / 2;
            deadShards = Enumerable.Range(0, 6).Where(s => (long)c.Call("CLUSTER", "KEYSLOT", strict.ShardKeyName(s))! >= from).ToArray();
        }
        Assert.NotEmpty(deadShards);
        Assert.True(deadShards.Length < 6, "every shard landed on one node; pick another collection name");
        dead.Kill();

        var ex = Assert.ThrowsAny<GarnetShardUnavailableException>(() => strict.Search(faces.Query(0), 10));
        Assert.Contains(dead.Endpoint, ex.Message, StringComparison.Ordinal);
        Assert.Contains(deadShards, s => s == ex.Shard);
        Assert.DoesNotContain("\n", ex.Message, StringComparison.Ordinal);

        // Plain Search cannot say "partial", so it throws even with AllowPartial; SearchWithStatus answers.
        Assert.ThrowsAny<GarnetShardUnavailableException>(() => lenient.Search(faces.Query(0), 10));
        Assert.ThrowsAny<GarnetShardUnavailableException>(() => ((IVectorIndex)strict).SearchWithStatus(faces.Query(0), 10));
        var partial = ((IVectorIndex)lenient).SearchWithStatus(faces.Query(0), 200);
        Assert.True(partial.IsPartial);
        Assert.Equal(deadShards.Length, partial.Unavailable!.Count);
        Assert.All(partial.Unavailable, u => Assert.Contains(dead.Endpoint, u, StringComparison.Ordinal));
        Assert.NotEmpty(partial.Hits);
        Assert.All(partial.Hits, h => Assert.DoesNotContain(GarnetVectorIndex.ShardOf(h.Id, 6), deadShards));
        var expected = Enumerable.Range(0, 200).Count(i => !deadShards.Contains(GarnetVectorIndex.ShardOf(i, 6)));
        Assert.Equal(expected, partial.Hits.Count);

        // What the searches found is what the shards' health says, without another command.
        Assert.All(((IShardedIndex)lenient).Shards, s => Assert.Equal(!deadShards.Contains(s.Shard), s.Up));
        Assert.All(lenient.Shards.Where(s => deadShards.Contains(s.Shard)), s => Assert.Contains(dead.Endpoint, s.Endpoint, StringComparison.Ordinal));
    }
}
