using Rvs.Index;
using Rvs.Catalog;
using SkiaSharp;

namespace Rvs.Tests.Catalog;

public sealed class FaceCollectionTests : IDisposable
{
    private readonly CatalogScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private void IndexPhotos(int count, bool labels = false)
    {
        for (var i = 0; i < count; i++)
        {
            _scratch.Photo(labels ? $"person{i % 3}/p{i:D2}.png" : $"p{i:D2}.png", CatalogScratch.Colour(i));
        }

        var pipeline = new BandPipeline();
        using var collection = _scratch.Open(pipeline);
        new CollectionIndexer(collection).Run(_scratch.Photos, pipeline, new IndexingOptions { Workers = 2, LabelFromFolder = labels });
    }

    [Fact]
    public void a_new_collection_records_its_pipeline_and_settings()
    {
        using (FaceCollection.OpenOrCreate(_scratch.Collection, PipelineIdentity.Of(new BandPipeline("mtcnn-facenet", "facenet-1", 8))))
        {
        }

        var settings = FaceCollection.ReadSettings(_scratch.Collection);

        Assert.Equal(new PipelineIdentity("mtcnn-facenet", "facenet-1", 8), settings.Pipeline);
        Assert.Equal("l2", settings.Metric);
        Assert.Equal("auto", settings.IndexKind);
        Assert.Equal(CatalogMigrations.Latest, settings.SchemaVersion);
        Assert.True(FaceCollection.Exists(_scratch.Collection));
    }

    [Fact]
    public void the_back_end_given_at_creation_is_recorded_with_its_settings()
    {
        using (FaceCollection.OpenOrCreate(_scratch.Collection, PipelineIdentity.Of(new BandPipeline()),
            new CollectionOptions { BackEnd = new HnswBackEnd(new HnswOptions(Connectivity: 24)) }))
        {
        }

        var settings = FaceCollection.ReadSettings(_scratch.Collection);
        Assert.Equal("hnsw", settings.IndexKind);
        Assert.Equal("24", settings.IndexParameters["hnsw.connectivity"]);
    }

    [Fact]
    public void opening_a_directory_without_a_collection_says_so()
    {
        var error = Assert.Throws<CollectionException>(() => FaceCollection.Open(_scratch.Collection, _scratch.Options));
        Assert.Contains("no collection", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void a_directory_whose_catalog_is_not_a_database_gives_a_clear_error()
    {
        Directory.CreateDirectory(_scratch.Collection);
        File.WriteAllText(Path.Combine(_scratch.Collection, "catalog.db"), "this is not SQLite, but it is long enough to have a header");

        var error = Assert.Throws<CatalogDamagedException>(() => _scratch.Open());

        Assert.Contains("is not an SQLite database", error.Message, StringComparison.Ordinal);
        Assert.Equal("this is not SQLite, but it is long enough to have a header", File.ReadAllText(Path.Combine(_scratch.Collection, "catalog.db")));
    }

    [Fact]
    public void a_run_that_finds_nothing_new_does_not_rewrite_the_saved_index()
    {
        IndexPhotos(3);
        var file = Path.Combine(_scratch.Collection, "index.usearch");
        var written = File.GetLastWriteTimeUtc(file);
        File.SetLastWriteTimeUtc(file, written.AddHours(-1));

        var pipeline = new BandPipeline();
        using var collection = _scratch.Open(pipeline);
        Assert.Equal(3, new CollectionIndexer(collection).Run(_scratch.Photos, pipeline, new IndexingOptions()).Skipped);

        Assert.Equal(written.AddHours(-1), File.GetLastWriteTimeUtc(file));
    }

    [Fact]
    public void opening_with_another_vector_size_is_refused()
    {
        using (_scratch.Open())
        {
        }

        Assert.Throws<CollectionMismatchException>(() => _scratch.Open(new BandPipeline(dimensions: 4)));
    }

    [Fact]
    public void similar_returns_the_nearest_other_faces_without_the_face_itself()
    {
        IndexPhotos(5);
        using var collection = FaceCollection.Open(_scratch.Collection, _scratch.Options);
        var self = collection.Search(BandPipeline.EmbeddingOf(CatalogScratch.Colour(2)), 1)[0];

        var similar = collection.Similar(self.FaceId, 3);

        Assert.Equal(3, similar.Count);
        Assert.DoesNotContain(similar, h => h.FaceId == self.FaceId);
        Assert.Equal([1, 2, 3], similar.Select(h => h.Rank));
        Assert.Equal(
            collection.Search(BandPipeline.EmbeddingOf(CatalogScratch.Colour(2)), 4).Skip(1).Select(h => h.FaceId),
            similar.Select(h => h.FaceId));
        Assert.Throws<Rvs.Errors.NotFoundException>(() => collection.Similar(999_999, 3));
    }

    [Fact]
    public void max_distance_drops_hits_that_are_too_far()
    {
        IndexPhotos(5);
        using var collection = FaceCollection.Open(_scratch.Collection, _scratch.Options);

        var hits = collection.Search(BandPipeline.EmbeddingOf(CatalogScratch.Colour(0)), 5, maxDistance: 0.001f);

        Assert.Single(hits);
    }

    [Fact]
    public void remove_deletes_photos_and_their_faces_by_path_or_by_folder()
    {
        IndexPhotos(6, labels: true);
        using var collection = FaceCollection.Open(_scratch.Collection, _scratch.Options);
        var one = Path.Combine(_scratch.Photos, "person0", "p00.png").Replace('\\', '/');

        Assert.Equal(new RemovalSummary(1, 1), collection.Remove([one]));
        Assert.Null(collection.FindImage(one));
        Assert.NotEqual(one, collection.Search(BandPipeline.EmbeddingOf(CatalogScratch.Colour(0)), 1)[0].Path);

        Assert.Equal(new RemovalSummary(2, 2), collection.Remove([Path.Combine(_scratch.Photos, "person1") + "/"]));
        Assert.Equal(new RemovalSummary(0, 0), collection.Remove([Path.Combine(_scratch.Photos, "person")]));
        var stats = collection.Stats();
        Assert.Equal((3L, 3L, 3L), (stats.Images, stats.Faces, stats.IndexedVectors));
        Assert.Equal(0, CatalogScratch.Scalar(_scratch.Collection, "SELECT count(*) FROM thumbnails t WHERE NOT EXISTS (SELECT 1 FROM faces f WHERE f.id = t.face_id)"));
    }

    [Fact]
    public void stats_count_images_faces_people_failures_and_size()
    {
        IndexPhotos(6, labels: true);
        _scratch.Photo("group.png", SKColors.Red, SKColors.Green);
        _scratch.Photo("nobody.png", SKColors.Black);
        File.WriteAllBytes(Path.Combine(_scratch.Photos, "bad.jpg"), [0xFF, 0xD8, 0x00]);
        var pipeline = new BandPipeline();
        using var collection = _scratch.Open(pipeline);
        new CollectionIndexer(collection).Run(_scratch.Photos, pipeline, new IndexingOptions { Workers = 2, LabelFromFolder = true });

        var stats = collection.Stats();

        Assert.Equal(9, stats.Images);
        Assert.Equal(8, stats.Faces);
        Assert.Equal(3, stats.People);
        Assert.Equal(7, stats.ImagesByStatus[ImageStatus.Indexed]);
        Assert.Equal(1, stats.ImagesByStatus[ImageStatus.NoFace]);
        Assert.Equal(1, stats.ImagesByStatus[ImageStatus.Unreadable]);
        Assert.True(stats.SizeOnDiskBytes > 0);
        Assert.Equal("brute", stats.LoadedIndexKind);
        Assert.Equal(8, stats.IndexedVectors);
    }

    [Fact]
    public void reindex_rebuilds_an_index_that_gives_the_same_search_results()
    {
        IndexPhotos(8);
        using var collection = FaceCollection.Open(_scratch.Collection, _scratch.Options);
        var query = BandPipeline.EmbeddingOf(new SKColor(120, 90, 60));
        var before = collection.Search(query, 5);

        Assert.Equal(8, collection.Reindex());

        Assert.Equal(before, collection.Search(query, 5));
    }

    [Fact]
    public void a_saved_index_is_loaded_while_current_and_rebuilt_once_the_catalog_has_moved_on()
    {
        IndexPhotos(4);
        Assert.True(File.Exists(Path.Combine(_scratch.Collection, "index.usearch")));

        using (var current = FaceCollection.Open(_scratch.Collection, _scratch.Options))
        {
            Assert.Single(_scratch.LoadedIndexes);
            Assert.Equal(4, current.Stats().IndexedVectors);
        }

        // Another writer changes the catalog behind the saved index's back (a crash before saving looks the same).
        CatalogScratch.Scalar(_scratch.Collection, "UPDATE settings SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation' RETURNING 0");
        using var stale = FaceCollection.Open(_scratch.Collection, _scratch.Options);
        Assert.Single(_scratch.LoadedIndexes);
        Assert.Equal(4, stale.Stats().IndexedVectors);
    }

    [Fact]
    public void a_damaged_index_file_is_rebuilt_from_the_catalog()
    {
        IndexPhotos(3);
        File.WriteAllBytes(Path.Combine(_scratch.Collection, "index.usearch"), [1, 2]);

        using var collection = FaceCollection.Open(_scratch.Collection, _scratch.Options);

        Assert.Equal(3, collection.Stats().IndexedVectors);
    }
}
