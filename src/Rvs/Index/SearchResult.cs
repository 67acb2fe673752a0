namespace Rvs.Index;

/// <summary>
/// Search hits plus whether some part of the index could not be asked. Only a distributed back end can be
/// partial; <see cref="Unavailable"/> then names what was missing (shard and endpoint) so a caller can show it.
/// </summary>
public sealed record SearchResult(IReadOnlyList<VectorHit> Hits, bool IsPartial = false, IReadOnlyList<string>? Unavailable = null)
{
    public static SearchResult Complete(IReadOnlyList<VectorHit> hits) => new(hits);
}
