using System.Collections;
using System.Numerics.Tensors;

namespace Rvs.Embedding;

/// <summary>
/// A face's embedding: finite and of unit L2 length, checked once, where an embedder makes it, and read-only from
/// then on, so the pipeline, the catalog and the index take it as it is. Ranking by dot product equals ranking by
/// L2 distance only for unit vectors: a vector that is not one must not get past the embedder.
/// </summary>
public sealed class FaceEmbedding : IReadOnlyList<float>
{
    // Normalising in float32 leaves 192 or 512 values within about 1e-6 of unit length; anything off by more than
    // this was not normalised (or overflowed).
    private const float UnitTolerance = 1e-3f;

    private readonly float[] _values;

    private FaceEmbedding(float[] values) => _values = values;

    /// <summary>A copy of <paramref name="values"/>, which must be <paramref name="dimensions"/> finite floats of unit length.</summary>
    /// <exception cref="InvalidOperationException">The vector is not one an embedder may return (a bug in the embedder or its model).</exception>
    public static FaceEmbedding Of(ReadOnlySpan<float> values, int dimensions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        if (values.Length != dimensions)
        {
            throw new InvalidOperationException($"the embedder returned {values.Length} floats, not {dimensions}");
        }

        var norm = TensorPrimitives.Norm(values);
        if (!(MathF.Abs(norm - 1) < UnitTolerance))
        {
            throw new InvalidOperationException($"the embedder returned a vector of length {norm}, not a unit vector");
        }

        return new FaceEmbedding(values.ToArray());
    }

    public int Dimensions => _values.Length;

    public ReadOnlySpan<float> Span => _values;

    int IReadOnlyCollection<float>.Count => _values.Length;

    public float this[int index] => _values[index];

    public static implicit operator ReadOnlySpan<float>(FaceEmbedding embedding) => embedding is null ? default : embedding._values;

    /// <summary>A new array with the values, for code that keeps vectors as arrays (matrices, JSON).</summary>
    public float[] ToArray() => (float[])_values.Clone();

    /// <summary>Copies the values into <paramref name="array"/> from <paramref name="index"/>, as <see cref="Array.CopyTo(Array, int)"/> does.</summary>
    public void CopyTo(float[] array, int index) => _values.CopyTo(array, index);

    public ReadOnlySpan<float> ToReadOnlySpan() => _values;

    public IEnumerator<float> GetEnumerator() => ((IEnumerable<float>)_values).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
