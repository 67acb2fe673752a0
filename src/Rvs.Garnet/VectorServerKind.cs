namespace Rvs.Index.Garnet;

/// <summary>Which server speaks the vector-set commands; they agree on syntax but not on what a score means.</summary>
public enum VectorServerKind
{
    /// <summary>Garnet 2.x preview: VSIM scores are squared L2 distances (0 = identical).</summary>
    Garnet,
    /// <summary>Redis 8: VSIM scores are similarities (1 + cos) / 2 (1 = identical, 0 = opposite).</summary>
    Redis,
}
