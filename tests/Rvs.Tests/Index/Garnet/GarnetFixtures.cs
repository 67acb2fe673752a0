using Rvs.Testing;
using Rvs.Index.Garnet;

namespace Rvs.Tests.Index.Garnet;

public sealed class SingleGarnetFixture : IAsyncLifetime
{
    public GarnetServers Servers { get; private set; } = null!;

    public async Task InitializeAsync() => Servers = await GarnetServers.StartAsync(nodes: 1);

    public Task DisposeAsync()
    {
        Servers?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>An index on a collection no other test uses, so tests sharing the server stay independent.</summary>
    public GarnetVectorIndex NewIndex(int dims, int shards = 4, bool allowPartial = false, int? ef = 200, string? collection = null) =>
        new(new GarnetVectorIndexOptions(Servers.Endpoints, collection ?? "t" + Guid.NewGuid().ToString("N")[..8], shards,
            SearchEf: ef, AllowPartial: allowPartial), dims);
}

[CollectionDefinition("garnet-single")]
public sealed class SingleGarnetCollection : ICollectionFixture<SingleGarnetFixture>;

/// <summary>
/// The probes get a server of their own: one leaves an EXEC with VADD hanging on purpose. On the shared server,
/// GarnetCollectionTests' VADDs timed out after 30 s in some full runs; a server still holding that hung transaction
/// is the likely cause, and keeping the probes apart removes it from the other tests either way.
/// </summary>
[CollectionDefinition(Name)]
public sealed class GarnetProbeCollection : ICollectionFixture<SingleGarnetFixture>
{
    public const string Name = "garnet-probes";
}

public sealed class GarnetClusterFixture : IAsyncLifetime
{
    public GarnetServers Servers { get; private set; } = null!;

    public async Task InitializeAsync() => Servers = await GarnetServers.StartAsync(nodes: 3, cluster: true);

    public Task DisposeAsync()
    {
        Servers?.Dispose();
        return Task.CompletedTask;
    }
}

internal static class Recall
{
    /// <summary>Recall@k against brute force over <paramref name="queries"/>, and how many top-1s matched exactly.</summary>
    public static (double Recall, int Top1Matches) Measure(Rvs.Index.IVectorIndex index, float[] data, int dims, float[][] queries, int k)
    {
        var found = 0;
        var top1 = 0;
        foreach (var q in queries)
        {
            var truth = BruteForce.Nearest(data, dims, q, k);
            var got = index.Search(q, k);
            var truthIds = truth.Select(t => t.Id).ToHashSet();
            found += got.Count(h => truthIds.Contains(h.Id));
            if (got.Count > 0 && got[0].Id == truth[0].Id) top1++;
        }
        return ((double)found / (queries.Length * k), top1);
    }
}
