namespace Rvs.Index;

/// <summary>
/// One search result. Distance is the Euclidean (L2) distance between unit vectors, so similarity (cosine)
/// is 1 − distance²/2. Attributes is whatever JSON the back end stored with the vector (null if none).
/// </summary>
public readonly record struct VectorHit(long Id, float Distance, string? Attributes = null)
{
    public float Similarity => 1f - Distance * Distance / 2f;
}
