namespace Rvs.Catalog;

/// <summary>
/// What one committed catalog write did, in the form the vector index needs to follow it: the generation the write
/// moved the catalog to, the faces it removed, and the faces it added (ids, their vectors as one row-major block,
/// and the attributes a shared back end stores beside each).
/// </summary>
internal sealed record ChangeSet(
    long Generation,
    IReadOnlyList<long> RemovedFaceIds,
    IReadOnlyList<long> AddedFaceIds,
    float[] AddedVectors,
    IReadOnlyList<string?> AddedAttributes)
{
    public bool IsEmpty => RemovedFaceIds.Count == 0 && AddedFaceIds.Count == 0;

    public static ChangeSet Removal(long generation, IReadOnlyList<long> removed) => new(generation, removed, [], [], []);
}
