using Rvs.Catalog;
using Rvs.Imaging;
using SkiaSharp;

namespace Rvs.Tests.Catalog;

/// <summary>Adding one photo from bytes and removing one by id: what `rvs serve` does for its write endpoints.</summary>
public sealed class SinglePhotoTests : IDisposable
{
    private readonly CatalogScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void a_photo_added_from_bytes_is_stored_searchable_and_served_from_the_catalog()
    {
        var pipeline = new BandPipeline();
        var bytes = CatalogScratch.Png(CatalogScratch.Colour(1), SKColors.Black, CatalogScratch.Colour(2));
        using var collection = _scratch.Open(pipeline);

        var image = new CollectionIndexer(collection).AddPhoto(bytes, "  alice  ", pipeline);

        Assert.Equal(ImageStatus.Indexed, image.Status);
        Assert.Equal("alice", image.Label);
        Assert.Equal(2, image.FaceCount);
        Assert.StartsWith(CollectionIndexer.UploadSource + "!/", image.Path);
        Assert.Equal(bytes, collection.GetPhotoBytes(image.ImageId));
        var hit = Assert.Single(collection.Search(BandPipeline.EmbeddingOf(CatalogScratch.Colour(2)), 1));
        Assert.Equal(image.ImageId, hit.ImageId);
        // Two faces and no other photo of alice: the label goes to one face (the largest; here the first of equals).
        Assert.Single(collection.GetFaces(image.ImageId), f => f.Label == "alice");
        Assert.NotNull(collection.GetThumbnail(hit.FaceId));
    }

    [Fact]
    public void the_same_bytes_added_twice_replace_the_first_copy()
    {
        var pipeline = new BandPipeline();
        var bytes = CatalogScratch.Png(CatalogScratch.Colour(3));
        using var collection = _scratch.Open(pipeline);
        var indexer = new CollectionIndexer(collection);

        var first = indexer.AddPhoto(bytes, "bob", pipeline);
        var second = indexer.AddPhoto(bytes, "robert", pipeline);

        Assert.Null(collection.GetImage(first.ImageId));
        Assert.Equal("robert", collection.GetImage(second.ImageId)!.Label);
        Assert.Equal(1, collection.Stats().Faces);
        Assert.Equal(1, collection.Stats().IndexedVectors);
    }

    [Fact]
    public void bytes_that_are_not_an_image_are_refused_and_nothing_is_written()
    {
        var pipeline = new BandPipeline();
        using var collection = _scratch.Open(pipeline);

        Assert.Throws<ImageDecodeException>(() => new CollectionIndexer(collection).AddPhoto("not a photo"u8.ToArray(), null, pipeline));
        Assert.Equal(0, collection.Stats().Images);
    }

    [Fact]
    public void a_photo_without_faces_is_recorded_as_such()
    {
        var pipeline = new BandPipeline();
        using var collection = _scratch.Open(pipeline);

        var image = new CollectionIndexer(collection).AddPhoto(CatalogScratch.Png(SKColors.Black), null, pipeline);

        Assert.Equal(ImageStatus.NoFace, image.Status);
        Assert.Equal(0, image.FaceCount);
    }

    [Fact]
    public void removing_by_id_drops_the_photo_its_faces_and_their_vectors_but_not_its_file()
    {
        var file = _scratch.Photo("keep/p.png", CatalogScratch.Colour(4), CatalogScratch.Colour(5));
        _scratch.Photo("other.png", CatalogScratch.Colour(6));
        var pipeline = new BandPipeline();
        using (var collection = _scratch.Open(pipeline))
        {
            new CollectionIndexer(collection).Run(_scratch.Photos, pipeline, new IndexingOptions { Workers = 1 });
            var image = collection.FindImage(file.Replace('\\', '/'))!;

            var removed = collection.RemoveImage(image.ImageId);

            Assert.Equal(new RemovalSummary(1, 2), removed);
            Assert.Null(collection.GetImage(image.ImageId));
            Assert.Equal(1, collection.Stats().IndexedVectors);
            Assert.Equal(new RemovalSummary(0, 0), collection.RemoveImage(image.ImageId));
            Assert.True(File.Exists(file));
        }

        // The saved index must agree with the catalog after the removal, so reopening loads it instead of rebuilding.
        var loads = _scratch.LoadedIndexes.Count;
        using var reopened = _scratch.Open(pipeline);
        Assert.Equal(1, reopened.Stats().IndexedVectors);
        Assert.Equal(loads + 1, _scratch.LoadedIndexes.Count);
    }
}
