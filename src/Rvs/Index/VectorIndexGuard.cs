namespace Rvs.Index;

/// <summary>Argument checks shared by the back ends, so every one rejects bad input with the same message.</summary>
internal static class VectorIndexGuard
{
    public static void CheckBatch(IReadOnlyList<long> ids, ReadOnlySpan<float> vectors, IReadOnlyList<string?>? attributes, int dimensions)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (vectors.Length != (long)ids.Count * dimensions)
        {
            throw new ArgumentException(
                $"Expected {ids.Count} vectors of {dimensions} dimensions ({(long)ids.Count * dimensions} floats) but got {vectors.Length} floats.",
                nameof(vectors));
        }

        if (attributes is not null && attributes.Count != ids.Count)
        {
            throw new ArgumentException($"Expected {ids.Count} attributes, one per id, but got {attributes.Count}.", nameof(attributes));
        }
    }

    public static void CheckQuery(ReadOnlySpan<float> query, int k, int dimensions)
    {
        if (query.Length != dimensions)
        {
            throw new ArgumentException($"Query has {query.Length} dimensions but the index holds {dimensions}-dimensional vectors.", nameof(query));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
    }
}
