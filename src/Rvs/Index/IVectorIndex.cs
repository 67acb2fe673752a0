namespace Rvs.Index;

/// <summary>
/// A store of unit-length vectors keyed by face id, searched by L2 distance. Every back end (exact, HNSW,
/// Garnet) implements this, so the catalog and the surfaces above never know which one they talk to.
/// Vectors handed in are expected to be L2-normalised already.
/// </summary>
public interface IVectorIndex : IDisposable
{
    /// <summary>Short name of the back end: "exact", "hnsw", "garnet".</summary>
    string Kind { get; }

    int Dimensions { get; }

    long Count { get; }

    /// <summary>Adds or replaces vectors. <paramref name="vectors"/> holds ids.Count rows of Dimensions floats.</summary>
    void Add(IReadOnlyList<long> ids, ReadOnlySpan<float> vectors, IReadOnlyList<string?>? attributes = null);

    /// <summary>Removes the ids that are present; returns how many were removed.</summary>
    int Remove(IReadOnlyList<long> ids);

    bool Contains(long id);

    /// <summary>The k nearest vectors, nearest first; ties broken by smaller id.</summary>
    IReadOnlyList<VectorHit> Search(ReadOnlySpan<float> query, int k);

    /// <summary>
    /// Like <see cref="Search"/>, but a back end spread over several servers may answer from the parts it could
    /// reach when configured to, flagging the result as partial; plain <see cref="Search"/> never returns a
    /// partial list because its signature could not say so.
    /// </summary>
    SearchResult SearchWithStatus(ReadOnlySpan<float> query, int k) => SearchResult.Complete(Search(query, k));
}
