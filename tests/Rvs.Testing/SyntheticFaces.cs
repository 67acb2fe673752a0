namespace Rvs.Testing;

/// <summary>
/// Unit vectors clustered by identity, standing in for face embeddings: each identity has a random centre and its
/// faces scatter around it, so near neighbours are mostly the same identity as with a real model.
/// </summary>
public sealed class SyntheticFaces
{
    private readonly Random _rnd;
    private readonly float[][] _centres;

    public SyntheticFaces(int seed, int identities, int dimensions, float spread = 0.6f)
    {
        _rnd = new Random(seed);
        Dimensions = dimensions;
        Spread = spread;
        _centres = Enumerable.Range(0, identities).Select(_ => Unit(Gaussian(dimensions))).ToArray();
    }

    public int Dimensions { get; }
    public float Spread { get; }
    public int Identities => _centres.Length;

    /// <summary>A new face of identity <paramref name="identity"/>.</summary>
    public float[] Face(int identity)
    {
        var noise = Gaussian(Dimensions);
        var scale = Spread / MathF.Sqrt(Dimensions);
        var v = new float[Dimensions];
        for (var i = 0; i < Dimensions; i++) v[i] = _centres[identity][i] + noise[i] * scale;
        return Unit(v);
    }

    /// <summary>count faces, identity i % Identities for face i, flattened row-major.</summary>
    public float[] Faces(int count)
    {
        var all = new float[count * Dimensions];
        for (var i = 0; i < count; i++) Face(i % Identities).CopyTo(all, i * Dimensions);
        return all;
    }

    public int RandomIdentity() => _rnd.Next(Identities);

    public static float[] Unit(float[] v)
    {
        var n = MathF.Sqrt(v.Sum(x => x * x));
        for (var i = 0; i < v.Length; i++) v[i] /= n;
        return v;
    }

    private float[] Gaussian(int n)
    {
        var v = new float[n];
        for (var i = 0; i < n; i++)
        {
            var u1 = 1.0 - _rnd.NextDouble();
            var u2 = _rnd.NextDouble();
            v[i] = (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return v;
    }
}
