namespace Rvs.Index;

/// <summary>
/// Tuning of the HNSW graph. What the settings reach is measured in docs/BENCHMARKS.md (`Rvs.Bench search`).
/// </summary>
/// <param name="Connectivity">Neighbours per node (HNSW "M"): more means better recall, more memory, slower build.</param>
/// <param name="ExpansionAdd">Candidate list size while inserting (efConstruction): more means a better graph, slower build.</param>
/// <param name="ExpansionSearch">Candidate list size while searching (ef): more means better recall, slower queries.</param>
/// <param name="SearchThreads">Concurrent searches allowed inside the native index; 0 means one per processor.
/// Callers beyond this wait rather than fail.</param>
/// <param name="Storage">How the graph stores vectors. Quantised forms walk the graph on approximate distances, then
/// re-rank the candidates on the exact float32 vectors kept beside the graph, so returned distances stay exact.</param>
/// <param name="RerankCandidates">Candidates a quantised graph hands to the exact re-rank; 0 means the search
/// candidate list size (ef), never fewer than the k asked for.</param>
public sealed record HnswOptions(
    int Connectivity = 16,
    int ExpansionAdd = 128,
    int ExpansionSearch = 64,
    int SearchThreads = 0,
    HnswStorage Storage = HnswStorage.Float32,
    int RerankCandidates = 0)
{
    internal int EffectiveSearchThreads => SearchThreads > 0 ? SearchThreads : Environment.ProcessorCount;

    internal int CandidatesFor(int k) => Math.Max(k, RerankCandidates > 0 ? RerankCandidates : ExpansionSearch);

    /// <summary>
    /// The settings measured to reach match recall 0.99 on face-like vectors of this many faces at the least cost
    /// (docs/BENCHMARKS.md, "Search alone on face-like vectors"): ef 128 gave 0.994 at 100,000 faces, ef 256 gave
    /// 0.990 at 1,000,000. Below 100,000 faces "auto" scans exactly, and an HNSW index asked for there keeps the
    /// plain defaults. From 100,000 on, i8 storage (re-ranked on float32) built 2.4-3.9x faster than float32 and
    /// searched faster with the same recall, and M 32 / ef_add 128 needed half the ef of M 16 for the same recall.
    /// </summary>
    public static HnswOptions ForCollectionSize(long faces) => faces switch
    {
        < 100_000 => new HnswOptions(),
        < 1_000_000 => new HnswOptions(Connectivity: 32, ExpansionAdd: 128, ExpansionSearch: 128, Storage: HnswStorage.Int8),
        _ => new HnswOptions(Connectivity: 32, ExpansionAdd: 128, ExpansionSearch: 256, Storage: HnswStorage.Int8),
    };
}

/// <summary>Scalar type of the vectors inside the HNSW graph.</summary>
public enum HnswStorage
{
    /// <summary>4 bytes a dimension; distances exact without re-ranking.</summary>
    Float32,

    /// <summary>2 bytes a dimension, re-ranked on float32.</summary>
    Float16,

    /// <summary>1 byte a dimension, re-ranked on float32.</summary>
    Int8,
}

/// <summary>The short names of <see cref="HnswStorage"/> used in settings and on command lines: f32, f16, i8.</summary>
public static class HnswStorages
{
    public static string Name(HnswStorage storage) => storage switch
    {
        HnswStorage.Float16 => "f16",
        HnswStorage.Int8 => "i8",
        _ => "f32",
    };

    public static HnswStorage Parse(string name) => name?.ToLowerInvariant() switch
    {
        "f32" => HnswStorage.Float32,
        "f16" => HnswStorage.Float16,
        "i8" => HnswStorage.Int8,
        _ => throw new ArgumentException($"unknown HNSW storage '{name}'; expected f32, f16 or i8", nameof(name)),
    };
}
