using Rvs.Index;

namespace Rvs.Catalog;

/// <summary>
/// How a <see cref="FaceCollection"/> gets its vector index. The catalog only knows <see cref="IVectorIndex"/>;
/// which back end to use (and whether it can be saved) is the caller's choice, so the library does not depend on
/// any one of them.
/// </summary>
public sealed record CollectionOptions
{
    /// <summary>Makes an empty index for vectors of the given size.</summary>
    public required Func<int, IVectorIndex> CreateIndex { get; init; }

    /// <summary>
    /// Loads a saved index (path, dimensions). Null when the back end cannot be saved; the index is then always
    /// rebuilt from the catalog at open.
    /// </summary>
    public Func<string, int, IVectorIndex>? LoadIndex { get; init; }

    /// <summary>
    /// Writes the index to the given path. It may write nothing (e.g. an exact index that is cheaper to rebuild),
    /// in which case nothing is recorded.
    /// </summary>
    public Action<IVectorIndex, string>? SaveIndex { get; init; }

    /// <summary>
    /// The kind of index <see cref="CreateIndex"/> makes ("exact", "hnsw", "garnet"), to match against a saved index
    /// without creating one; null creates a throwaway index to ask it.
    /// </summary>
    public string? BackEnd { get; init; }

    /// <summary>Index kind to record in the settings ("auto", "exact", "hnsw"); null keeps what is stored.</summary>
    public string? IndexKind { get; init; }

    /// <summary>Back-end parameters to record (e.g. HNSW "m", "ef_construction"); null keeps what is stored.</summary>
    public IReadOnlyDictionary<string, string>? IndexParameters { get; init; }
}

/// <summary>The settings a collection was created with, as stored in catalog.db.</summary>
public sealed record CollectionSettings(
    int SchemaVersion,
    PipelineIdentity Pipeline,
    string Metric,
    string IndexKind,
    IReadOnlyDictionary<string, string> IndexParameters);
