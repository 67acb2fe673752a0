using Rvs.Testing;
using Rvs.Index;

namespace Rvs.Tests.Index;

public class ExactVectorIndexTests
{
    private const int Dims = 16;

    internal static long[] Ids(int count, long offset = 0) => Enumerable.Range(0, count).Select(i => i + offset).ToArray();

    /// <summary>Reference answer: every row, sorted by distance then id.</summary>
    internal static List<(long Id, float Distance)> Naive(float[] matrix, long[] ids, ReadOnlySpan<float> query, int k)
    {
        var dims = query.Length;
        var all = new List<(long Id, float Distance)>();
        for (var row = 0; row < ids.Length; row++)
        {
            double dot = 0;
            for (var d = 0; d < dims; d++)
            {
                dot += matrix[row * dims + d] * query[d];
            }

            all.Add((ids[row], (float)Math.Sqrt(Math.Max(0, 2 - 2 * dot))));
        }

        return all.OrderBy(h => h.Distance).ThenBy(h => h.Id).Take(k).ToList();
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(500)]
    public void exact_search_returns_the_nearest_vectors_in_order(int parallelThreshold)
    {
        var faces = new SyntheticFaceVectors(Dims, seed: 1);
        var matrix = faces.Vectors(3_000);
        var ids = Ids(3_000, offset: 100);
        using var index = new ExactVectorIndex(Dims, parallelThreshold: parallelThreshold);
        index.Add(ids, matrix);
        var queries = faces.Queries(20, 3_000, querySeed: 7, out _);

        for (var q = 0; q < 20; q++)
        {
            var query = queries.AsSpan(q * Dims, Dims);
            var expected = Naive(matrix, ids, query, 25);
            var actual = index.Search(query, 25);
            Assert.Equal(expected.Select(h => h.Id), actual.Select(h => h.Id));
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i].Distance, actual[i].Distance, 1e-4f);
            }
        }
    }

    [Fact]
    public void equal_distances_are_ordered_by_smaller_id()
    {
        var v = new float[Dims];
        v[0] = 1;
        var w = new float[Dims];
        w[1] = 1;
        using var index = new ExactVectorIndex(Dims);
        // The same vector under ids inserted in descending order, plus one farther vector.
        index.Add([9, 5, 7, 3], [.. v, .. v, .. w, .. v]);

        var hits = index.Search(v, 3);

        Assert.Equal([3L, 5L, 9L], hits.Select(h => h.Id));
        Assert.All(hits, h => Assert.Equal(0f, h.Distance, 1e-6f));
        Assert.Equal([3L, 5L], index.Search(v, 2).Select(h => h.Id));
    }

    [Fact]
    public void k_larger_than_the_collection_returns_everything()
    {
        var matrix = new SyntheticFaceVectors(Dims, seed: 2).Vectors(5);
        using var index = new ExactVectorIndex(Dims);
        index.Add(Ids(5), matrix);

        var hits = index.Search(matrix.AsSpan(0, Dims), 50);

        Assert.Equal(5, hits.Count);
        Assert.Equal(0L, hits[0].Id);
        Assert.Equal(1f, hits[0].Similarity, 1e-5f);
    }

    [Fact]
    public void removed_vectors_are_no_longer_found_and_the_rest_still_are()
    {
        var faces = new SyntheticFaceVectors(Dims, seed: 3);
        var matrix = faces.Vectors(200);
        var ids = Ids(200);
        using var index = new ExactVectorIndex(Dims);
        index.Add(ids, matrix);

        Assert.Equal(2, index.Remove([0, 57, 12345]));

        Assert.Equal(198, index.Count);
        Assert.False(index.Contains(0));
        Assert.False(index.Contains(57));
        var keptIds = ids.Where(id => id is not 0 and not 57).ToArray();
        var kept = keptIds.SelectMany(id => matrix.AsSpan((int)id * Dims, Dims).ToArray()).ToArray();
        for (var row = 0; row < 200; row += 13)
        {
            var query = matrix.AsSpan(row * Dims, Dims);
            Assert.Equal(Naive(kept, keptIds, query, 10).Select(h => h.Id), index.Search(query, 10).Select(h => h.Id));
        }

        // The row swapped into a hole must still answer for its own id.
        var last = index.Search(matrix.AsSpan(199 * Dims, Dims), 1);
        Assert.Equal(199L, last[0].Id);
    }

    [Fact]
    public void adding_an_existing_id_replaces_its_vector_and_attributes()
    {
        var v = new float[Dims];
        v[0] = 1;
        var w = new float[Dims];
        w[1] = 1;
        using var index = new ExactVectorIndex(Dims);
        index.Add([1, 2], [.. v, .. w], ["a", "b"]);

        index.Add([1], w, ["c"]);

        Assert.Equal(2, index.Count);
        var hits = index.Search(w, 2);
        Assert.All(hits, h => Assert.Equal(0f, h.Distance, 1e-6f));
        Assert.Equal("c", hits.Single(h => h.Id == 1).Attributes);
        Assert.Equal("b", hits.Single(h => h.Id == 2).Attributes);
    }

    [Fact]
    public void wrong_dimensions_are_rejected_with_a_clear_message()
    {
        using var index = new ExactVectorIndex(Dims);

        var search = Assert.Throws<ArgumentException>(() => index.Search(new float[Dims + 1], 5));
        Assert.Contains($"{Dims + 1} dimensions", search.Message, StringComparison.Ordinal);
        Assert.Contains($"{Dims}-dimensional", search.Message, StringComparison.Ordinal);

        var add = Assert.Throws<ArgumentException>(() => index.Add([1, 2], new float[Dims]));
        Assert.Contains($"2 vectors of {Dims} dimensions", add.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void an_empty_index_returns_no_hits()
    {
        using var index = new ExactVectorIndex(Dims);

        Assert.Empty(index.Search(new float[Dims], 3));
    }

    [Fact]
    public void auto_picks_exact_below_the_threshold_and_hnsw_at_it()
    {
        Assert.Equal("exact", VectorBackEnds.ResolveKind("auto", 99_999));
        Assert.Equal("hnsw", VectorBackEnds.ResolveKind("auto", 100_000));
        Assert.Equal("exact", VectorBackEnds.ResolveKind("EXACT", 5_000_000));
        var none = new Dictionary<string, string>();
        Assert.Throws<ArgumentException>(() => VectorBackEnds.Embedded.FromSettings("garnet?", none, 1));
        using var index = VectorBackEnds.Embedded.FromSettings("auto", none, 10).Create(Dims, 10);
        Assert.Equal("exact", index.Kind);
    }

    [Fact]
    public void synthetic_faces_are_close_within_an_identity_and_unrelated_across()
    {
        var faces = new SyntheticFaceVectors(192, seed: 4);
        var matrix = faces.Vectors(2_000);
        Assert.Equal(matrix, new SyntheticFaceVectors(192, seed: 4).Vectors(2_000));

        var same = new List<float>();
        var different = new List<float>();
        for (var a = 0; a < 2_000; a += 7)
        {
            for (var b = a + 1; b < Math.Min(a + 40, 2_000); b++)
            {
                var dot = System.Numerics.Tensors.TensorPrimitives.Dot(matrix.AsSpan(a * 192, 192), matrix.AsSpan(b * 192, 192));
                (faces.IdentityOf(a) == faces.IdentityOf(b) ? same : different).Add(dot);
            }
        }

        Assert.InRange(same.Average(), 0.5f, 0.8f);
        Assert.InRange(different.Average(), -0.05f, 0.05f);
        Assert.True(different.Max() < 0.4f, $"unrelated faces reached similarity {different.Max()}");
    }

    [Fact]
    public void a_new_photo_of_an_identity_is_nearest_to_that_identitys_faces_and_is_reproducible()
    {
        const int dims = 64;
        var faces = new SyntheticFaceVectors(dims, seed: 5);
        var matrix = faces.Vectors(200);
        using var index = new ExactVectorIndex(dims);
        index.Add(Enumerable.Range(0, 200).Select(i => (long)i).ToArray(), matrix);

        for (var identity = 0; identity < 20; identity++)
        {
            var query = faces.Query(identity, querySeed: 3);
            Assert.Equal(query, faces.Query(identity, querySeed: 3));
            Assert.NotEqual(query, faces.Query(identity, querySeed: 4));
            Assert.Equal(identity, faces.IdentityOf(index.Search(query, 1)[0].Id));
        }
    }
}
