using Rvs.Testing;
using System.Globalization;
using Rvs.Index.Garnet;
using Rvs.Tests.Support;

namespace Rvs.Tests.Index.Garnet;

[Trait(TestTier.Name, TestTier.Full)]
public class GarnetClusterTests(GarnetClusterFixture fx) : IClassFixture<GarnetClusterFixture>
{
    private const int Dims = 64;

    [Fact]
    public void three_node_cluster_search_matches_brute_force_and_spreads_shards()
    {
        var faces = new SyntheticFaceVectors(Dims, seed: 21, perIdentity: 10);
        var data = faces.Vectors(400);
        var options = new GarnetVectorIndexOptions(fx.Servers.Endpoints, "cl", Shards: 8, SearchEf: 200);
        using var index = new GarnetVectorIndex(options, Dims);
        index.Add(Enumerable.Range(0, 400).Select(i => (long)i).ToArray(), data,
                  Enumerable.Range(0, 400).Select(i => $"{{\"n\":{i}}}").ToArray());

        Assert.Equal(400, index.Count);
        var queries = faces.Queries(40, 400, querySeed: 1, out _).Chunk(Dims).ToArray();
        var (recall, top1) = Recall.Measure(index, data, Dims, queries, 10);
        Assert.True(recall >= 0.95, $"recall@10 {recall:F3}");
        Assert.Equal(queries.Length, top1);
        var hit = index.Search(data.AsSpan(0, Dims), 1)[0];
        Assert.Equal("{\"n\":0}", hit.Attributes);

        // Every primary owns at least one shard key and really holds its vectors there.
        var owners = new Dictionary<int, int>();
        using (var any = new RespClient(fx.Servers.Nodes[0].Port))
        {
            var ranges = ParseSlotRanges((string)any.Call("CLUSTER", "NODES")!);
            for (var s = 0; s < options.Shards; s++)
            {
                var slot = (int)(long)any.Call("CLUSTER", "KEYSLOT", index.ShardKeyName(s))!;
                var port = ranges.Single(r => slot >= r.From && slot <= r.To).Port;
                using var owner = new RespClient(port);
                Assert.True((long)owner.Call("VCARD", index.ShardKeyName(s))! > 0, $"shard {s} empty on its owner {port}");
                owners[port] = owners.GetValueOrDefault(port) + 1;
            }
        }
        Assert.Equal(fx.Servers.Nodes.Select(n => n.Port).Order(), owners.Keys.Order());
    }

    private static List<(int Port, int From, int To)> ParseSlotRanges(string nodes)
    {
        var list = new List<(int, int, int)>();
        foreach (var line in nodes.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var address = f[1].Split('@')[0];
            var port = int.Parse(address[(address.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
            foreach (var range in f.Skip(8))
            {
                var parts = range.Split('-');
                var from = int.Parse(parts[0], CultureInfo.InvariantCulture);
                list.Add((port, from, parts.Length > 1 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : from));
            }
        }
        return list;
    }
}
