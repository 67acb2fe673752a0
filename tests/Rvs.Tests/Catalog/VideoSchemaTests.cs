using Rvs.Catalog;

namespace Rvs.Tests.Catalog;

public sealed class VideoSchemaTests : IDisposable
{
    private readonly CatalogScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void a_catalog_from_before_videos_gets_the_media_and_time_columns_and_its_photos_stay_photos()
    {
        _scratch.Photo("p0.png", CatalogScratch.Colour(0));
        var pipeline = new BandPipeline();
        using (var collection = _scratch.Open(pipeline))
        {
            Assert.Equal(1, new CollectionIndexer(collection).Run(_scratch.Photos, pipeline, new IndexingOptions { Workers = 1 }).Indexed);
        }

        // What a version-2 catalog looked like: no media, no time_seconds.
        CatalogScratch.RollBackTo(_scratch.Collection, 2);
        using (var collection = _scratch.Open(pipeline))
        {
            var photo = Assert.Single(collection.GetImages(ImageStatus.Indexed));
            Assert.False(photo.IsVideo);
            var hit = Assert.Single(collection.Search(BandPipeline.EmbeddingOf(CatalogScratch.Colour(0)), 1));
            Assert.Null(hit.TimeSeconds);
        }

        Assert.Equal(CatalogMigrations.Latest, CatalogScratch.Scalar(_scratch.Collection, "PRAGMA user_version"));
        Assert.Equal(1, CatalogScratch.Scalar(_scratch.Collection, "SELECT count(*) FROM images WHERE media = 'photo'"));
        Assert.Equal(0, CatalogScratch.Scalar(_scratch.Collection, "SELECT count(*) FROM faces WHERE time_seconds IS NOT NULL"));
    }
}
