using System.Numerics.Tensors;

namespace Rvs.Testing;

/// <summary>
/// Synthetic faces drawn like real ones: each identity's centre ~ N(mean, between-person covariance), each photo
/// ~ centre + N(0, within-person covariance), renormalised to unit length (<see cref="FaceSpread"/> is fitted from
/// real embeddings). Unlike <see cref="SyntheticFaceVectors"/>' uniform centres, these fill the few directions real
/// embeddings use, which is what a graph index sees in production. Deterministic in (spread, seed).
/// </summary>
public sealed class FaceLikeVectors(FaceSpread spread, int seed, int perIdentity = 10) : FaceVectorSource(spread.Dimensions, seed, perIdentity)
{
    protected override float[] Centre(int identity)
    {
        var centre = new float[Dimensions];
        Draw(spread.BetweenRoot, new Random(Mix(Seed, identity, 0)), centre);
        TensorPrimitives.Add(centre, spread.Mean, centre);
        return centre;
    }

    protected override void Member(float[] centre, Random random, Span<float> output)
    {
        Draw(spread.WithinRoot, random, output);
        TensorPrimitives.Add(output, centre, output);
        Normalise(output);
    }

    /// <summary>root · z for z ~ N(0, I): a draw from the covariance root·rootᵀ.</summary>
    private void Draw(float[] root, Random random, Span<float> output)
    {
        var dimensions = Dimensions;
        Span<float> z = stackalloc float[dimensions];
        for (var d = 0; d < dimensions; d++)
        {
            z[d] = Gaussian(random);
        }

        for (var d = 0; d < dimensions; d++)
        {
            output[d] = TensorPrimitives.Dot(root.AsSpan(d * dimensions, dimensions), z);
        }
    }
}
