namespace Rvs.Index.Garnet;

/// <summary>How vectors are stored in a set; fixed when the set is created.</summary>
public enum GarnetQuantization
{
    /// <summary>Full float32. Default: scores stay exact, which matters because face matching thresholds on similarity.</summary>
    NoQuant,
    /// <summary>8-bit. On Redis 8 a quarter of the vector memory for slightly noisy scores; Garnet 2.2.8 accepts it but its scores and VEMB stay exact float32, so no gain is visible there.</summary>
    Q8,
}

/// <summary>
/// Settings of the garnet back end.
/// </summary>
/// <param name="Endpoints">"host:port[,host:port…]"; for a cluster any one node is enough, more help when one is down at start.</param>
/// <param name="Collection">Name inside the key hash tag, so several collections can share one cluster; null lets
/// <see cref="GarnetBackEnd.ForCollection"/> name it after the collection's directory ("faces" for a bare index).</param>
/// <param name="Shards">Number of vector-set keys. More keys than primaries lets the cluster spread them and lets one
/// query use several server threads; each key is one HNSW graph, so too many shards cost search work per query.</param>
/// <param name="Quantization">See <see cref="GarnetQuantization"/>.</param>
/// <param name="M">HNSW links per node, fixed at set creation.</param>
/// <param name="SearchEf">HNSW exploration factor for VSIM; null leaves the server default.</param>
/// <param name="AllowPartial">When a shard is unreachable, <see cref="IVectorIndex.SearchWithStatus"/> answers from
/// the others and marks the result partial instead of throwing.</param>
/// <param name="TimeoutMs">Per-command timeout; also how long a dead endpoint can stall a call.</param>
public sealed record GarnetVectorIndexOptions(
    string Endpoints,
    string? Collection = null,
    int Shards = 8,
    GarnetQuantization Quantization = GarnetQuantization.NoQuant,
    int M = 16,
    int? SearchEf = null,
    bool AllowPartial = false,
    int TimeoutMs = 5000)
{
    /// <summary>Pipelined VADDs in flight per Add call; bounds client memory on big imports.</summary>
    public int AddBatch { get; init; } = 2048;
}
