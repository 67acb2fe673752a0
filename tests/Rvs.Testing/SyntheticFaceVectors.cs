namespace Rvs.Testing;

/// <summary>
/// Deterministic stand-in for a face collection, for tests and benchmarks, with identity centres drawn uniformly on
/// the sphere: the stress case for a graph index (<see cref="FaceLikeVectors"/> draws them like real faces instead).
/// Uniform random vectors would make approximate search look either too hard (no structure) or too easy; faces
/// instead come in identities with a handful of photos each. Each identity has a random unit centre; a member is
/// centre + Gaussian noise whose total norm is a per-member σ in [0.5, 1.0], then normalised, so two photos of one
/// person have cosine similarity 1/√((1+σ₁²)(1+σ₂²)) ≈ 0.5–0.8 while different people sit near 0 (± 1/√dimensions).
/// </summary>
public sealed class SyntheticFaceVectors(int dimensions, int seed, int perIdentity = 10) : FaceVectorSource(dimensions, seed, perIdentity)
{
    private const float MinNoise = 0.5f;
    private const float MaxNoise = 1.0f;

    protected override float[] Centre(int identity)
    {
        var random = new Random(Mix(Seed, identity, 0));
        var centre = new float[Dimensions];
        for (var d = 0; d < centre.Length; d++)
        {
            centre[d] = Gaussian(random);
        }

        Normalise(centre);
        return centre;
    }

    protected override void Member(float[] centre, Random random, Span<float> output)
    {
        var sigma = MinNoise + (MaxNoise - MinNoise) * random.NextSingle();
        // Per-dimension deviation σ/√d gives the noise vector a norm of about σ.
        var scale = sigma / MathF.Sqrt(Dimensions);
        for (var d = 0; d < output.Length; d++)
        {
            output[d] = centre[d] + scale * Gaussian(random);
        }

        Normalise(output);
    }
}
