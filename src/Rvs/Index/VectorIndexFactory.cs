namespace Rvs.Index;

/// <summary>Which back end to build: "exact", "hnsw", or "auto" (chosen by collection size).</summary>
public sealed record VectorIndexOptions(string Kind = VectorIndexFactory.Auto, HnswOptions? Hnsw = null);

public static class VectorIndexFactory
{
    public const string Exact = "exact";
    public const string Hnsw = "hnsw";
    public const string Auto = "auto";

    /// <summary>
    /// Below this size a brute-force scan answers in a few milliseconds with perfect recall, so a graph's build
    /// time, memory and approximation are not worth paying for.
    /// </summary>
    public const long AutoHnswThreshold = 100_000;

    /// <summary>Resolves "auto" for a collection of <paramref name="expectedCount"/> vectors; other kinds pass through.</summary>
    public static string ResolveKind(string kind, long expectedCount)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return kind.ToLowerInvariant() switch
        {
            Exact => Exact,
            Hnsw => Hnsw,
            Auto => expectedCount >= AutoHnswThreshold ? Hnsw : Exact,
            _ => throw new ArgumentException($"Unknown index kind '{kind}'; expected {Exact}, {Hnsw} or {Auto}.", nameof(kind)),
        };
    }

    public static IVectorIndex Create(int dimensions, long expectedCount, VectorIndexOptions? options = null)
    {
        options ??= new VectorIndexOptions();
        return ResolveKind(options.Kind, expectedCount) switch
        {
            Hnsw => new HnswVectorIndex(dimensions, options.Hnsw),
            _ => new ExactVectorIndex(dimensions, (int)Math.Clamp(expectedCount, 0, int.MaxValue / dimensions)),
        };
    }
}
