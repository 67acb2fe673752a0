using System.Drawing;
using Rvs.Catalog;
using Rvs.Pipelines;
using SkiaSharp;

namespace Rvs.Tests.Catalog;

public sealed class FaceQualityTests : IDisposable
{
    private readonly CatalogScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Theory]
    [InlineData(24, 24, 0.99f, false)]
    [InlineData(200, 180, 0.95f, false)]
    [InlineData(23.9f, 80, 0.99f, true)]
    [InlineData(80, 18, 0.99f, true)]
    [InlineData(120, 120, 0.85f, true)]
    public void a_face_is_low_quality_when_its_shorter_side_or_its_score_is_under_the_floor(float w, float h, float score, bool low) =>
        Assert.Equal(low, FaceQuality.IsLow(new RectangleF(5, 5, w, h), score));

    [Theory]
    [InlineData(100, 100, 0.99f, true)]
    [InlineData(56, 70, 0.95f, true)]
    [InlineData(40, 40, 0.99f, false)]
    [InlineData(120, 120, 0.85f, false)]
    public void only_a_face_big_and_sure_enough_may_found_a_person(float w, float h, float score, bool may) =>
        Assert.Equal(may, FaceQuality.MayFoundPerson(new RectangleF(0, 0, w, h), score));

    [Fact]
    public void searches_leave_low_quality_faces_out_unless_asked_and_stats_count_them()
    {
        var person = new SKColor(200, 40, 90);
        _scratch.Photo("near.png", person);
        // The same person as a 24 x 8 px face: too small to be trusted, though it embeds identically.
        _scratch.Write("far.png", CatalogScratch.Png(8, person));
        _scratch.Photo("other.png", new SKColor(30, 160, 60));
        var pipeline = new BandPipeline();
        using var collection = _scratch.Open(pipeline);
        new CollectionIndexer(collection).Run(_scratch.Photos, pipeline, new IndexingOptions { Workers = 1 });
        var query = BandPipeline.EmbeddingOf(person);

        var plain = collection.Search(query, 10);
        var all = collection.SearchWithStatus(query, 10, includeLowQuality: true).Hits;

        Assert.Equal(["near.png", "other.png"], plain.Select(h => Path.GetFileName(h.Path)));
        Assert.All(plain, h => Assert.False(h.LowQuality));
        Assert.Equal(3, all.Count);
        Assert.True(all.Single(h => h.Path.EndsWith("far.png", StringComparison.Ordinal)).LowQuality);
        Assert.Equal([1, 2, 3], all.Select(h => h.Rank));
        Assert.Equal(1, collection.Stats().LowQualityFaces);

        var near = plain[0].FaceId;
        Assert.DoesNotContain(collection.Similar(near, 10), h => h.LowQuality);
        Assert.Contains(collection.Similar(near, 10, includeLowQuality: true), h => h.LowQuality);
    }

    [Fact]
    public void a_search_still_fills_k_results_when_the_nearest_faces_are_low_quality()
    {
        var person = new SKColor(200, 40, 90);
        for (var i = 0; i < 6; i++)
        {
            _scratch.Write($"far{i}.png", CatalogScratch.Png(8, person));
        }

        for (var i = 0; i < 4; i++)
        {
            _scratch.Photo($"good{i}.png", CatalogScratch.Colour(i));
        }

        var pipeline = new BandPipeline();
        using var collection = _scratch.Open(pipeline);
        new CollectionIndexer(collection).Run(_scratch.Photos, pipeline, new IndexingOptions { Workers = 1 });

        var hits = collection.Search(BandPipeline.EmbeddingOf(person), 3);

        Assert.Equal(3, hits.Count);
        Assert.All(hits, h => Assert.StartsWith("good", Path.GetFileName(h.Path), StringComparison.Ordinal));
    }
}
