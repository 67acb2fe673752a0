using Rvs.Evaluation;

namespace Rvs.Tests.Evaluation;

public class RetrievalMetricsTests
{
    private static float[] AtAngles(params double[] degrees) =>
        degrees.SelectMany(d => new[] { (float)Math.Cos(d * Math.PI / 180), (float)Math.Sin(d * Math.PI / 180) }).ToArray();

    private static bool[] Ranks(int count, params int[] hitRanks) =>
        Enumerable.Range(1, count).Select(hitRanks.Contains).ToArray();

    [Fact]
    public void average_precision_counts_hits_at_ranks_one_and_three()
    {
        // Hits at ranks 1 and 3 of two findable images: precision@1 = 1, precision@3 = 2/3.
        var score = RetrievalMetrics.ScoreQuery(Ranks(20, 1, 3), findable: 2);

        Assert.True(score.Rank1);
        Assert.True(score.Hit);
        Assert.Equal(1.0, score.Precision, 12);
        Assert.Equal((1.0 + 2.0 / 3.0) / 2, score.AveragePrecision, 12);
    }

    [Fact]
    public void precision_at_20_is_normalised_by_the_number_of_findable_images()
    {
        var score = RetrievalMetrics.ScoreQuery(Ranks(20, 2, 5), findable: 3);

        Assert.False(score.Rank1);
        Assert.Equal(2.0 / 3.0, score.Precision, 12);
        Assert.Equal((1.0 / 2 + 2.0 / 5) / 3, score.AveragePrecision, 12);
    }

    [Fact]
    public void a_query_whose_person_has_more_than_20_other_photos_is_normalised_by_20()
    {
        // 25 findable images; ranks 1-5 show other people, ranks 6-25 this person, but only the top 20 count.
        var score = RetrievalMetrics.ScoreQuery(Ranks(25, Enumerable.Range(6, 20).ToArray()), findable: 25);

        Assert.False(score.Rank1);
        Assert.Equal(15.0 / 20, score.Precision, 12);
        var expected = Enumerable.Range(6, 15).Sum(r => (r - 5.0) / r) / 20;
        Assert.Equal(expected, score.AveragePrecision, 12);
    }

    [Fact]
    public void twenty_of_twenty_five_findable_photos_in_the_top_20_is_perfect()
    {
        var score = RetrievalMetrics.ScoreQuery(Ranks(20, Enumerable.Range(1, 20).ToArray()), findable: 25);

        Assert.Equal(1.0, score.Precision, 12);
        Assert.Equal(1.0, score.AveragePrecision, 12);
    }

    [Fact]
    public void a_match_at_rank_21_is_not_a_hit()
    {
        var score = RetrievalMetrics.ScoreQuery(Ranks(21, 21), findable: 1);

        Assert.False(score.Hit);
        Assert.Equal(0.0, score.Precision);
        Assert.Equal(0.0, score.AveragePrecision);
    }

    [Fact]
    public void every_figure_is_averaged_over_queries_and_a_person_with_one_photo_is_only_in_the_gallery()
    {
        // Angles on the unit circle: A at 0° and 3°, B at 4° and 100°, C (one photo) at 50°.
        // Query 0 (A, 0°): 1(A) 2 4 3   → rank1, AP 1
        // Query 1 (A, 3°): 2 0(A) 4 3   → AP 1/2
        // Query 2 (B, 4°): 1 0 4 3(B)   → AP 1/4
        // Query 3 (B, 100°): 4 2(B) 1 0 → AP 1/2
        var vectors = AtAngles(0, 3, 4, 100, 50);
        string[] labels = ["A", "A", "B", "B", "C"];

        var scores = RetrievalMetrics.Evaluate(vectors, 2, labels);

        Assert.Equal(4, scores.Queries);
        Assert.Equal(0.25, scores.Rank1, 12);
        Assert.Equal(1.0, scores.Hit20, 12);
        Assert.Equal(1.0, scores.Precision20, 12);
        Assert.Equal((1 + 0.5 + 0.25 + 0.5) / 4, scores.Map20, 12);
    }

    [Theory]
    [InlineData("B", "A", false)]
    [InlineData("A", "B", true)]
    public void equal_distances_rank_the_smaller_gallery_index_first(string label1, string label2, bool rank1)
    {
        // Images 1 and 2 are the same vector, equally near query 0; image 1 must come first.
        float[] vectors = [1, 0, 0.6f, 0.8f, 0.6f, 0.8f, 0, 1];
        string[] labels = ["A", label1, label2, "B"];

        var neighbours = RetrievalMetrics.ExactNeighbours(vectors, 2, [0], 3)[0];
        var scores = RetrievalMetrics.Evaluate(vectors, 2, labels);

        Assert.Equal(new[] { 1, 2, 3 }, neighbours);
        var query0 = RetrievalMetrics.ScoreQuery(neighbours.Select(g => labels[g] == "A").ToArray(), 1);
        Assert.Equal(rank1, query0.Rank1);
        Assert.Equal(4, scores.Queries);
    }

    [Fact]
    public void the_query_is_never_its_own_result()
    {
        var vectors = AtAngles(0, 3, 4, 100, 50);

        var neighbours = RetrievalMetrics.ExactNeighbours(vectors, 2, [0, 1, 2, 3, 4], 20);

        for (var q = 0; q < 5; q++)
        {
            Assert.DoesNotContain(q, neighbours[q]);
            Assert.Equal(4, neighbours[q].Length);
        }
    }

    [Fact]
    public void exact_search_over_many_query_blocks_matches_a_plain_sort()
    {
        var random = new Random(7);
        const int rows = 300, dims = 8;
        var vectors = new float[rows * dims];
        for (var i = 0; i < rows; i++)
        {
            var row = vectors.AsSpan(i * dims, dims);
            for (var d = 0; d < dims; d++)
            {
                row[d] = (float)(random.NextDouble() - 0.5);
            }

            var norm = System.Numerics.Tensors.TensorPrimitives.Norm(row);
            System.Numerics.Tensors.TensorPrimitives.Divide(row, norm, row);
        }

        var queries = Enumerable.Range(0, rows).ToArray();
        var neighbours = RetrievalMetrics.ExactNeighbours(vectors, dims, queries, 20);

        foreach (var q in queries)
        {
            var expected = Enumerable.Range(0, rows).Where(g => g != q)
                .OrderByDescending(g => System.Numerics.Tensors.TensorPrimitives.Dot(vectors.AsSpan(q * dims, dims), vectors.AsSpan(g * dims, dims)))
                .ThenBy(g => g)
                .Take(20);
            Assert.Equal(expected, neighbours[q]);
        }
    }

    [Fact]
    public void a_pluggable_search_that_returns_the_query_first_scores_like_exact_search()
    {
        var vectors = AtAngles(0, 3, 4, 100, 50);
        string[] labels = ["A", "A", "B", "B", "C"];
        var calls = 0;
        NeighbourSearch includingSelf = (q, k) =>
        {
            Interlocked.Increment(ref calls);
            return new[] { q }.Concat(RetrievalMetrics.ExactNeighbours(vectors, 2, [q], k)[0]).Take(k).ToArray();
        };

        var pluggable = RetrievalMetrics.Evaluate(vectors, 2, labels, includingSelf);
        var exact = RetrievalMetrics.Evaluate(vectors, 2, labels);

        Assert.Equal(exact, pluggable);
        Assert.Equal(4, calls);
    }
}
