using Rvs.Embedding;

namespace Rvs.Tests.Embedding;

public class FaceEmbeddingTests
{
    [Fact]
    public void a_unit_vector_of_the_declared_size_is_kept_as_a_copy()
    {
        float[] values = [0.6f, 0.8f, 0f];

        var embedding = FaceEmbedding.Of(values, 3);
        values[0] = 5;

        Assert.Equal(3, embedding.Dimensions);
        Assert.Equal([0.6f, 0.8f, 0f], embedding.ToArray());
        Assert.Equal(0.8f, embedding[1]);
    }

    [Fact]
    public void a_vector_that_is_not_unit_length_or_finite_is_refused()
    {
        Assert.Contains("not a unit vector", Assert.Throws<InvalidOperationException>(() => FaceEmbedding.Of([0.6f, 0.6f], 2)).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => FaceEmbedding.Of([0f, 0f], 2));
        Assert.Throws<InvalidOperationException>(() => FaceEmbedding.Of([float.NaN, 1f], 2));
    }

    [Fact]
    public void a_vector_of_another_size_than_declared_is_refused()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => FaceEmbedding.Of([1f, 0f, 0f], 2));

        Assert.Contains("3 floats, not 2", refused.Message, StringComparison.Ordinal);
    }
}
