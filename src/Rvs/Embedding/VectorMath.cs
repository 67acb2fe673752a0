using System.Numerics.Tensors;

namespace Rvs.Embedding;

public static class VectorMath
{
    /// <summary>Scales the vector to unit length in place; a zero vector stays zero.</summary>
    public static void Normalize(Span<float> vector)
    {
        var norm = TensorPrimitives.Norm(vector);
        if (norm > 1e-12f)
        {
            TensorPrimitives.Divide(vector, norm, vector);
        }
    }

    /// <summary>Euclidean distance; for unit vectors, distance² = 2 − 2·cosine.</summary>
    public static float Distance(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => TensorPrimitives.Distance(a, b);

    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => TensorPrimitives.Dot(a, b);
}
