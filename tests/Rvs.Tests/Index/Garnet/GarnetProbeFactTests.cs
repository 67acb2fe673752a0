using Rvs.Testing;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Rvs.Index.Garnet;
using Rvs.Tests.Support;

namespace Rvs.Tests.Index.Garnet;

/// <summary>
/// One test per behaviour of Garnet 2.2.8's vector-set preview that the back end depends on. Each fails with a
/// message saying what changed, so an upgrade of Garnet shows which workaround to revisit.
/// </summary>
[Trait(TestTier.Name, TestTier.Full)]
[Collection(GarnetProbeCollection.Name)]
public class GarnetProbeFactTests(SingleGarnetFixture fx)
{
    private static byte[] Fp32(params float[] v) => MemoryMarshal.AsBytes(v.AsSpan()).ToArray();

    private RespClient Raw() => new(fx.Servers.Nodes[0].Port);

    [Fact]
    public void garnet_scores_are_squared_l2_and_vectors_are_not_normalised()
    {
        using var c = Raw();
        var key = "probe:l2:" + Guid.NewGuid().ToString("N");
        c.Call("VADD", key, "FP32", Fp32(1, 0, 0, 0), "a", "NOQUANT");
        c.Call("VADD", key, "FP32", Fp32(0, 1, 0, 0), "b", "NOQUANT");
        c.Call("VADD", key, "FP32", Fp32(3, 0, 0, 0), "c", "NOQUANT");
        var reply = (object?[])c.Call("VSIM", key, "FP32", Fp32(1, 0, 0, 0), "WITHSCORES", "COUNT", 3)!;
        var scores = Enumerable.Range(0, reply.Length / 2).ToDictionary(i => (string)reply[2 * i]!, i => double.Parse((string)reply[2 * i + 1]!, System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(Math.Abs(scores["a"]) < 1e-6, $"identical vector scored {scores["a"]}; Garnet no longer returns a distance (0 = identical)?");
        Assert.True(Math.Abs(scores["b"] - 2) < 1e-5, $"orthogonal unit vectors scored {scores["b"]}, expected squared L2 = 2; ScoreToDistance needs updating");
        // [3,0,0,0] against [1,0,0,0]: 4 if stored as given, 0 if normalised. The back end normalises either way.
        Assert.True(Math.Abs(scores["c"] - 4) < 1e-5, $"un-normalised vector scored {scores["c"]}; Garnet now normalises (harmless, but update the comment in UnitBlob)");

        Assert.Equal(1.4142135f, GarnetVectorIndex.ScoreToDistance(VectorServerKind.Garnet, 2.0), 5);
    }

    [Fact]
    public void quantisation_and_m_are_fixed_at_creation_and_must_be_repeated()
    {
        using var c = Raw();
        var key = "probe:params:" + Guid.NewGuid().ToString("N");
        Assert.Equal(1L, c.Call("VADD", key, "FP32", Fp32(1, 0), "a", "NOQUANT", "M", 32));
        var omitted = c.Call("VADD", key, "FP32", Fp32(0, 1), "b");
        var otherQuant = c.Call("VADD", key, "FP32", Fp32(0, 1), "b", "Q8", "M", 32);
        var otherM = c.Call("VADD", key, "FP32", Fp32(0, 1), "b", "NOQUANT", "M", 16);
        Assert.True(omitted is RespError, $"VADD without repeating NOQUANT/M 32 was accepted ({omitted}); Garnet no longer pins create-time params");
        Assert.True(otherQuant is RespError e1 && e1.Message.Contains("mismatch", StringComparison.OrdinalIgnoreCase), $"different quantisation: {otherQuant}");
        Assert.True(otherM is RespError e2 && e2.Message.Contains("mismatch", StringComparison.OrdinalIgnoreCase), $"different M: {otherM}");
        Assert.Equal(1L, c.Call("VADD", key, "FP32", Fp32(0, 1), "b", "NOQUANT", "M", 32));

        // The index always repeats them, so a non-default M keeps working across many Adds and instances.
        var dims = 8;
        var collection = "m" + Guid.NewGuid().ToString("N")[..8];
        var options = new GarnetVectorIndexOptions(fx.Servers.Endpoints, collection, Shards: 2, M: 24);
        var faces = new SyntheticFaceVectors(dims, seed: 9, perIdentity: 1).Vectors(8);
        using (var first = new GarnetVectorIndex(options, dims)) first.Add([1, 2, 3, 4], faces.AsSpan(0, 4 * dims));
        using (var second = new GarnetVectorIndex(options, dims)) second.Add([5, 6, 7, 8], faces.AsSpan(4 * dims));
        // Opening the collection with another M is refused up front, before any VADD can hit the server's mismatch.
        var ex = Assert.ThrowsAny<GarnetIndexException>(() => new GarnetVectorIndex(options with { M = 16 }, dims));
        Assert.Contains("m=24", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task remove_is_verified_while_other_clients_add_to_the_same_shard()
    {
        const int dims = 16;
        var faces = new SyntheticFaceVectors(dims, seed: 10, perIdentity: 30);
        using var index = fx.NewIndex(dims, shards: 1);
        using var writer = new GarnetVectorIndex(index.Options, dims);
        index.Add(Enumerable.Range(0, 600).Select(i => (long)i).ToArray(), faces.Vectors(600));

        using var stop = new CancellationTokenSource();
        var adders = Enumerable.Range(0, 2).Select(t => Task.Run(() =>
        {
            var next = 10_000 + t * 100_000;
            while (!stop.IsCancellationRequested)
            {
                var ids = Enumerable.Range(next, 50).Select(i => (long)i).ToArray();
                writer.Add(ids, faces.Queries(50, 600, querySeed: next, out _));
                next += 50;
            }
        })).ToArray();
        var removed = 0;
        for (var start = 0; start < 600; start += 100)
            removed += index.Remove(Enumerable.Range(start, 100).Select(i => (long)i).ToArray());
        stop.Cancel();
        await Task.WhenAll(adders);

        Assert.Equal(600, removed);
        using var c = Raw();
        var key = index.ShardKeyName(0);
        var left = Enumerable.Range(0, 600).Count(i => Equals(c.Call("VISMEMBER", key, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), 1L));
        Assert.Equal(0, left);
    }

    [Fact]
    public void server_type_is_detected_from_info_and_scores_converted_to_match()
    {
        using var c = Raw();
        var info = (string)c.Call("INFO", "server")!;
        // Garnet reports a redis_version too (7.4.3 in 2.2.8): garnet_version must win.
        Assert.NotNull(GarnetVectorIndex.InfoField(info, "garnet_version"));
        Assert.NotNull(GarnetVectorIndex.InfoField(info, "redis_version"));
        using var index = fx.NewIndex(4);
        Assert.Equal(VectorServerKind.Garnet, index.ServerKind);

        // Redis 8 gives (1 + cos) / 2; both conversions give the same L2 distance for the same pair of vectors.
        foreach (var cos in new[] { 1.0, 0.8, 0.0, -1.0 })
        {
            var squaredL2 = 2 - 2 * cos;
            var redisScore = (1 + cos) / 2;
            Assert.Equal(GarnetVectorIndex.ScoreToDistance(VectorServerKind.Garnet, squaredL2),
                         GarnetVectorIndex.ScoreToDistance(VectorServerKind.Redis, redisScore), 5);
        }
    }

    [Fact]
    public void multi_exec_with_a_vector_command_hangs_so_the_index_never_uses_it()
    {
        var key = "probe:multi:" + Guid.NewGuid().ToString("N");
        using var c = new RespClient(fx.Servers.Nodes[0].Port, timeoutMs: 2000);
        Assert.Equal("OK", c.Call("MULTI"));
        Assert.Equal("QUEUED", c.Call("VADD", key, "FP32", Fp32(1, 0), "a", "NOQUANT"));
        object? exec;
        try
        {
            exec = c.Call("EXEC");
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.TimedOut })
        {
            return; // still hangs in this Garnet: the never-MULTI rule in GarnetVectorIndex.Add stands
        }
        Assert.Fail($"EXEC with VADD answered ({exec}); Garnet now supports vector commands in transactions, the no-MULTI rule can be revisited");
    }
}
