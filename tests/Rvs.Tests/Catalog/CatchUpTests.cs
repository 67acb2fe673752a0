using Rvs.Catalog;

namespace Rvs.Tests.Catalog;

/// <summary>
/// A long-lived collection handle (what `rvs serve` holds) following what another handle writes to the same catalog,
/// as `rvs index` or `rvs remove` in another process would.
/// </summary>
public sealed class CatchUpTests : IDisposable
{
    private readonly CatalogScratch _scratch = new();
    private readonly BandPipeline _pipeline = new();

    public void Dispose()
    {
        _pipeline.Dispose();
        _scratch.Dispose();
    }

    private void Index(FaceCollection collection) =>
        new CollectionIndexer(collection).Run(_scratch.Photos, _pipeline, new IndexingOptions { Workers = 1 });

    private static string? Nearest(FaceCollection collection, int colour) =>
        collection.Search(BandPipeline.EmbeddingOf(CatalogScratch.Colour(colour)), 1).Select(h => Path.GetFileName(h.Path)).SingleOrDefault();

    [Fact]
    public void faces_another_handle_adds_are_read_in_without_a_rebuild_and_a_second_catch_up_finds_nothing()
    {
        for (var i = 0; i < 4; i++)
        {
            _scratch.Photo($"p{i}.png", CatalogScratch.Colour(i));
        }

        using (var first = _scratch.Open(_pipeline))
        {
            Index(first);
        }

        using var reader = _scratch.Open(_pipeline);
        _scratch.Photo("p4.png", CatalogScratch.Colour(4));
        _scratch.Photo("p5.png", CatalogScratch.Colour(5));
        using (var writer = _scratch.Open(_pipeline))
        {
            Index(writer);
        }

        var builds = _scratch.Builds;
        var (before, nearestBefore) = (reader.IndexedFaces, Nearest(reader, 5));
        var caughtUp = reader.CatchUp();
        var again = reader.CatchUp();

        Assert.Equal(4, before);
        Assert.NotEqual("p5.png", nearestBefore);
        Assert.True(caughtUp);
        Assert.False(again);
        Assert.Equal(6, reader.IndexedFaces);
        Assert.Equal("p5.png", Nearest(reader, 5));
        Assert.Equal("p0.png", Nearest(reader, 0));
        Assert.Equal(builds, _scratch.Builds);
    }

    [Fact]
    public void a_removal_elsewhere_makes_it_rebuild_to_the_catalog()
    {
        for (var i = 0; i < 4; i++)
        {
            _scratch.Photo($"p{i}.png", CatalogScratch.Colour(i));
        }

        using var reader = _scratch.Open(_pipeline);
        Index(reader);
        using (var writer = _scratch.Open(_pipeline))
        {
            writer.Remove([Path.Combine(_scratch.Photos, "p1.png")]);
            File.Delete(Path.Combine(_scratch.Photos, "p1.png"));
            _scratch.Photo("p4.png", CatalogScratch.Colour(4));
            Index(writer);
        }

        var builds = _scratch.Builds;
        var caughtUp = reader.CatchUp();

        Assert.True(caughtUp);
        Assert.Equal(builds + 1, _scratch.Builds);
        Assert.Equal(FaceCollection.CountFaces(_scratch.Collection), reader.IndexedFaces);
        Assert.Equal(4, reader.IndexedFaces);
        Assert.NotEqual("p1.png", Nearest(reader, 1));
        Assert.Equal("p4.png", Nearest(reader, 4));
        Assert.Equal("p0.png", Nearest(reader, 0));
    }
}
