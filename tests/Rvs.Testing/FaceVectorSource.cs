namespace Rvs.Testing;

/// <summary>
/// A deterministic collection of synthetic faces: identities of <see cref="PerIdentity"/> photos each, as unit
/// vectors, plus new photos of people in the collection to search with. The kinds differ only in how they draw an
/// identity's centre and a photo around it: <see cref="SyntheticFaceVectors"/> uniformly (the stress case for a
/// graph index), <see cref="FaceLikeVectors"/> from the spread of real embeddings.
/// </summary>
public abstract class FaceVectorSource
{
    protected FaceVectorSource(int dimensions, int seed, int perIdentity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(perIdentity, 1);
        Dimensions = dimensions;
        Seed = seed;
        PerIdentity = perIdentity;
    }

    public int Dimensions { get; }

    public int Seed { get; }

    public int PerIdentity { get; }

    /// <summary>Identity of the vector at <paramref name="index"/> in <see cref="Vectors"/>.</summary>
    public int IdentityOf(long index) => (int)(index / PerIdentity);

    /// <summary>
    /// <paramref name="count"/> row-major unit vectors; row i belongs to identity i / PerIdentity. The same
    /// (seed, count) always yields the same matrix, and a longer collection starts with the shorter one.
    /// </summary>
    public float[] Vectors(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var matrix = new float[(long)count * Dimensions];
        var identities = (count + PerIdentity - 1) / PerIdentity;
        // Identities are independent, so generating them in parallel keeps million-row benchmarks quick.
        Parallel.For(0, identities, identity =>
        {
            var centre = Centre(identity);
            var random = new Random(Mix(Seed, identity, 1));
            var first = identity * PerIdentity;
            var last = Math.Min(first + PerIdentity, count);
            for (var row = first; row < last; row++)
            {
                Member(centre, random, matrix.AsSpan(row * Dimensions, Dimensions));
            }
        });
        return matrix;
    }

    /// <summary>
    /// New photos of people already in a collection of <paramref name="collectionSize"/> vectors: query q belongs
    /// to identity <paramref name="identities"/>[q], so a search should find that identity's members first.
    /// </summary>
    public float[] Queries(int count, int collectionSize, int querySeed, out int[] identities)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(collectionSize, 1);
        var random = new Random(Mix(Seed, querySeed, 2));
        var known = (collectionSize + PerIdentity - 1) / PerIdentity;
        var queries = new float[(long)count * Dimensions];
        identities = new int[count];
        for (var q = 0; q < count; q++)
        {
            var identity = random.Next(known);
            identities[q] = identity;
            Member(Centre(identity), random, queries.AsSpan(q * Dimensions, Dimensions));
        }

        return queries;
    }

    /// <summary>
    /// One new photo of <paramref name="identity"/>, in no collection; the same (identity, querySeed) always gives
    /// the same vector, and calls share no state, so threads may call it at once.
    /// </summary>
    public float[] Query(int identity, int querySeed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(identity);
        var query = new float[Dimensions];
        Member(Centre(identity), new Random(Mix(Seed, Mix(querySeed, identity, 4), 3)), query);
        return query;
    }

    /// <summary>The centre of <paramref name="identity"/>, the same on every call.</summary>
    protected abstract float[] Centre(int identity);

    /// <summary>Writes one unit-length photo of the person at <paramref name="centre"/> into <paramref name="output"/>.</summary>
    protected abstract void Member(float[] centre, Random random, Span<float> output);

    protected static float Gaussian(Random random)
    {
        // Box–Muller; 1 − u keeps the logarithm away from zero.
        var u = 1.0 - random.NextDouble();
        var v = random.NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * v));
    }

    protected static void Normalise(Span<float> vector)
    {
        var norm = System.Numerics.Tensors.TensorPrimitives.Norm(vector);
        System.Numerics.Tensors.TensorPrimitives.Divide(vector, norm, vector);
    }

    /// <summary>Stable seed derivation; HashCode.Combine is randomised per process so it cannot be used.</summary>
    protected static int Mix(int seed, int value, int stream)
    {
        unchecked
        {
            var h = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ (ulong)(uint)value * 0xC2B2AE3D27D4EB4FUL ^ (ulong)(uint)stream * 0x165667B19E3779F9UL;
            h ^= h >> 31;
            h *= 0xBF58476D1CE4E5B9UL;
            h ^= h >> 29;
            return (int)(h & 0x7FFFFFFF);
        }
    }
}
