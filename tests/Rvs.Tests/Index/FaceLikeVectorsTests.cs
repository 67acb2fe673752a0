using Rvs.Testing;

namespace Rvs.Tests.Index;

/// <summary>Face-like synthetic vectors reproduce the spread of the embeddings they were fitted on.</summary>
public sealed class FaceLikeVectorsTests
{
    private const int Dims = 64;
    private const int PerPerson = 5;
    private const int Rows = 3_000;

    /// <summary>
    /// A stand-in for real embeddings that, like them, uses only a few directions: uniform synthetic faces with
    /// dimension d scaled by 1/(1 + d/3), renormalised (participation ratio about 12 of 64).
    /// </summary>
    private static float[] AnisotropicFaces()
    {
        var vectors = new SyntheticFaceVectors(Dims, seed: 8, perIdentity: PerPerson).Vectors(Rows);
        for (var row = 0; row < Rows; row++)
        {
            var vector = vectors.AsSpan(row * Dims, Dims);
            for (var d = 0; d < Dims; d++)
            {
                vector[d] /= 1f + d / 3f;
            }

            System.Numerics.Tensors.TensorPrimitives.Divide(vector, System.Numerics.Tensors.TensorPrimitives.Norm(vector), vector);
        }

        return vectors;
    }

    private static string PersonOf(int row) => (row / PerPerson).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static FaceSpread Spread() =>
        FaceSpread.Fit(AnisotropicFaces(), Dims, [.. Enumerable.Range(0, Rows).Select(PersonOf)]);

    [Fact]
    public void drawn_vectors_match_the_source_spread()
    {
        var source = AnisotropicFaces();
        var drawn = new FaceLikeVectors(Spread(), seed: 3, perIdentity: PerPerson).Vectors(Rows);

        var sourceRatio = EmbeddingStatistics.ParticipationRatio(source, Dims, Rows);
        var drawnRatio = EmbeddingStatistics.ParticipationRatio(drawn, Dims, Rows);
        Assert.InRange(sourceRatio, 5, 30);
        // A Gaussian fit of renormalised vectors is close, not exact (about +25% here, within 5% on LFW's
        // embeddings in `Rvs.Bench search`); uniform centres would give about 60.
        Assert.InRange(drawnRatio, sourceRatio * 0.7, sourceRatio * 1.3);

        var sourceDifferent = EmbeddingStatistics.PairCosine(source, Dims, Rows, PersonOf, samePerson: false);
        var drawnDifferent = EmbeddingStatistics.PairCosine(drawn, Dims, Rows, PersonOf, samePerson: false);
        Assert.InRange(drawnDifferent.Sd, sourceDifferent.Sd * 0.85, sourceDifferent.Sd * 1.15);
        Assert.InRange(drawnDifferent.Mean, sourceDifferent.Mean - 0.03, sourceDifferent.Mean + 0.03);

        var sourceSame = EmbeddingStatistics.PairCosine(source, Dims, Rows, PersonOf, samePerson: true);
        var drawnSame = EmbeddingStatistics.PairCosine(drawn, Dims, Rows, PersonOf, samePerson: true);
        Assert.InRange(drawnSame.Mean, sourceSame.Mean - 0.05, sourceSame.Mean + 0.05);
        Assert.All(Enumerable.Range(0, Rows), row =>
            Assert.Equal(1f, System.Numerics.Tensors.TensorPrimitives.Norm(drawn.AsSpan(row * Dims, Dims)), 1e-4f));
    }

    [Fact]
    public void the_same_seed_draws_the_same_vectors_and_another_seed_others()
    {
        var spread = Spread();
        var first = new FaceLikeVectors(spread, seed: 1).Vectors(500);
        Assert.Equal(first, new FaceLikeVectors(spread, seed: 1).Vectors(500));
        Assert.Equal(first.AsSpan(0, 100 * Dims).ToArray(), new FaceLikeVectors(spread, seed: 1).Vectors(100));
        Assert.NotEqual(first, new FaceLikeVectors(spread, seed: 2).Vectors(500));
        var queries = new FaceLikeVectors(spread, seed: 1).Queries(20, 500, querySeed: 7, out var identities);
        Assert.Equal(queries, new FaceLikeVectors(spread, seed: 1).Queries(20, 500, querySeed: 7, out _));
        Assert.All(identities, identity => Assert.InRange(identity, 0, 49));
    }

    [Fact]
    public void fitting_needs_people_with_two_photos()
    {
        var vectors = new SyntheticFaceVectors(Dims, seed: 1, perIdentity: 1).Vectors(10);
        var error = Assert.Throws<ArgumentException>(() => FaceSpread.Fit(vectors, Dims, [.. Enumerable.Range(0, 10).Select(row => $"person {row}")]));
        Assert.StartsWith("fitting a face spread needs at least two people", error.Message);
    }
}
