using Rvs.Catalog;
using SkiaSharp;

namespace Rvs.Tests.Catalog;

public sealed class CollectionIndexerTests : IDisposable
{
    private readonly CatalogScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private static IndexingOptions Options(int batch = 64) => new() { Workers = 2, BatchSize = batch };

    private void SinglePhotos(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _scratch.Photo($"p{i:D2}.png", CatalogScratch.Colour(i));
        }
    }

    private IndexingSummary Index(BandPipeline? pipeline = null, IndexingOptions? options = null, string? source = null)
    {
        pipeline ??= new BandPipeline();
        using var collection = _scratch.Open(pipeline);
        return new CollectionIndexer(collection).Run(source ?? _scratch.Photos, pipeline, options ?? Options());
    }

    [Fact]
    public void indexing_a_folder_stores_every_photo_with_its_face_and_finds_it_again()
    {
        SinglePhotos(6);
        var progress = new List<IndexingProgress>();
        var pipeline = new BandPipeline();
        using var collection = _scratch.Open(pipeline);

        var summary = new CollectionIndexer(collection).Run(_scratch.Photos, pipeline, Options(),
            new SynchronousProgress(progress.Add));

        Assert.Equal((6, 0, 0, 0, 6), (summary.Indexed, summary.Skipped, summary.NoFace, summary.Unreadable, summary.Faces));
        Assert.False(summary.Cancelled);
        Assert.Equal(6, progress.Count);
        Assert.All(progress, p => Assert.Equal(6, p.Total));
        Assert.Equal(6, progress[^1].Done);

        var hits = collection.Search(BandPipeline.EmbeddingOf(CatalogScratch.Colour(3)), 3);
        Assert.Equal(3, hits.Count);
        Assert.Equal(1, hits[0].Rank);
        Assert.EndsWith("/photos/p03.png", hits[0].Path, StringComparison.Ordinal);
        Assert.True(Path.IsPathRooted(hits[0].Path));
        Assert.InRange(hits[0].Distance, 0f, 1e-3f);
        Assert.InRange(hits[0].Similarity, 0.999f, 1.001f);
        Assert.Equal(new System.Drawing.RectangleF(0, 0, 24, CatalogScratch.BandRows), hits[0].Box);
        Assert.True(hits[1].Distance >= hits[0].Distance && hits[2].Distance >= hits[1].Distance);
    }

    [Fact]
    public void a_second_run_skips_every_unchanged_photo()
    {
        SinglePhotos(5);
        Index();
        var before = CatalogScratch.Dump(_scratch.Collection);
        var pipeline = new BandPipeline();

        var second = Index(pipeline);

        Assert.Equal((0, 5), (second.Indexed, second.Skipped));
        Assert.Equal(0, pipeline.Calls);
        Assert.Equal(before, CatalogScratch.Dump(_scratch.Collection));
    }

    [Fact]
    public void a_changed_file_is_indexed_again_and_its_old_faces_are_replaced()
    {
        SinglePhotos(3);
        Index();
        _scratch.Photo("p01.png", SKColors.Red, SKColors.Blue);

        var second = Index();

        Assert.Equal((1, 2), (second.Indexed, second.Skipped));
        using var collection = _scratch.Open();
        var image = collection.FindImage(Path.Combine(_scratch.Photos, "p01.png").Replace('\\', '/'))!;
        Assert.Equal(2, image.FaceCount);
        Assert.Equal(4, collection.Stats().Faces);
        Assert.Equal(4, CatalogScratch.Scalar(_scratch.Collection, "SELECT count(*) FROM embeddings"));
        var hit = Assert.Single(collection.Search(BandPipeline.EmbeddingOf(CatalogScratch.Colour(1)), 1));
        Assert.NotEqual(image.ImageId, hit.ImageId);
        Assert.Equal(image.ImageId, collection.Search(BandPipeline.EmbeddingOf(SKColors.Blue), 1)[0].ImageId);
    }

    [Fact]
    public void corrupt_empty_and_non_image_files_are_reported_with_reasons_and_the_run_goes_on()
    {
        SinglePhotos(2);
        File.WriteAllBytes(Path.Combine(_scratch.Photos, "empty.jpg"), []);
        File.WriteAllText(Path.Combine(_scratch.Photos, "notes.png"), "these are not pixels");
        File.WriteAllBytes(Path.Combine(_scratch.Photos, "truncated.png"), CatalogScratch.Png(SKColors.Red)[..20]);
        File.WriteAllText(Path.Combine(_scratch.Photos, "readme.txt"), "ignored: not a photo extension");

        var summary = Index();

        Assert.Equal((2, 3), (summary.Indexed, summary.Unreadable));
        Assert.Equal(["empty.jpg", "notes.png", "truncated.png"], summary.Failures.Select(f => Path.GetFileName(f.Path)).Order(StringComparer.Ordinal));
        Assert.All(summary.Failures, f => Assert.False(string.IsNullOrWhiteSpace(f.Reason)));
        Assert.Contains("empty", summary.Failures.Single(f => f.Path.EndsWith("empty.jpg", StringComparison.Ordinal)).Reason, StringComparison.Ordinal);

        using var collection = _scratch.Open();
        var unreadable = collection.GetImages(ImageStatus.Unreadable);
        Assert.Equal(3, unreadable.Count);
        Assert.All(unreadable, i => Assert.NotNull(i.Error));
        Assert.Equal(0, Index().Unreadable);
    }

    [Fact]
    public void a_photo_without_faces_is_recorded_as_no_face()
    {
        _scratch.Photo("empty-room.png", SKColors.Black);

        var summary = Index();

        Assert.Equal((0, 1), (summary.Indexed, summary.NoFace));
        using var collection = _scratch.Open();
        Assert.Equal(1, collection.Stats().ImagesByStatus[ImageStatus.NoFace]);
    }

    [Fact]
    public void a_photo_with_three_faces_gives_three_entries_in_order()
    {
        _scratch.Photo("group.png", SKColors.Red, SKColors.Black, SKColors.Green, SKColors.Blue);

        var summary = Index();

        Assert.Equal((1, 3), (summary.Indexed, summary.Faces));
        using var collection = _scratch.Open();
        var image = Assert.Single(collection.GetImages(ImageStatus.Indexed));
        var faces = collection.GetFaces(image.ImageId);
        Assert.Equal([0, 1, 2], faces.Select(f => f.Ordinal));
        Assert.Equal([0f, 2f * CatalogScratch.BandRows, 3f * CatalogScratch.BandRows], faces.Select(f => f.Box.Y));
        Assert.All(faces, f => Assert.Equal(5, f.Landmarks.Length));
        Assert.Equal(faces[1].FaceId, collection.Search(BandPipeline.EmbeddingOf(SKColors.Green), 1)[0].FaceId);
    }

    [Fact]
    public void labels_come_from_the_folder_names_when_asked()
    {
        _scratch.Photo("Ada_Lovelace/1.png", CatalogScratch.Colour(1));
        _scratch.Photo("Ada_Lovelace/2.png", CatalogScratch.Colour(2));
        _scratch.Photo("Alan_Turing/1.png", CatalogScratch.Colour(3), CatalogScratch.Colour(4));
        _scratch.Photo("loose.png", CatalogScratch.Colour(5));

        Index(options: Options() with { LabelFromFolder = true });

        using var collection = _scratch.Open();
        Assert.Equal("Ada_Lovelace", collection.Search(BandPipeline.EmbeddingOf(CatalogScratch.Colour(2)), 1)[0].Label);
        Assert.Null(collection.Search(BandPipeline.EmbeddingOf(CatalogScratch.Colour(5)), 1)[0].Label);
        Assert.Equal(2, collection.Stats().People);
        // Alan_Turing's only photo shows two faces: the label names one person, so exactly one face carries it.
        var turing = collection.FindImage(Path.Combine(_scratch.Photos, "Alan_Turing", "1.png"))!;
        Assert.Equal("Alan_Turing", turing.Label);
        Assert.Single(collection.GetFaces(turing.ImageId), f => f.Label == "Alan_Turing");
        Assert.Equal(3, CatalogScratch.Scalar(_scratch.Collection, "SELECT count(*) FROM faces WHERE label IS NOT NULL"));
    }

    [Fact]
    public void an_archive_is_indexed_and_its_photos_can_be_read_back_from_the_collection()
    {
        _scratch.Photo("lfw/Ada/1.png", CatalogScratch.Colour(1));
        _scratch.Photo("lfw/Bob/1.png", CatalogScratch.Colour(2));
        var archive = _scratch.Archive();

        var summary = Index(options: Options() with { LabelFromFolder = true }, source: archive);

        Assert.Equal(2, summary.Indexed);
        using var collection = _scratch.Open();
        var hit = collection.Search(BandPipeline.EmbeddingOf(CatalogScratch.Colour(2)), 1)[0];
        Assert.Equal($"{Path.GetFullPath(archive)}!/lfw/Bob/1.png", hit.Path);
        Assert.Equal("Bob", hit.Label);
        Assert.Null(collection.GetPhotoFilePath(hit.ImageId));
        Assert.Equal(File.ReadAllBytes(Path.Combine(_scratch.Photos, "lfw/Bob/1.png")), collection.GetPhotoBytes(hit.ImageId));
        Assert.Equal(2, Index(source: archive).Skipped);
    }

    [Fact]
    public void every_face_gets_a_small_jpeg_thumbnail_and_folder_photos_are_read_from_their_file()
    {
        var file = _scratch.Photo("p.png", SKColors.Orange);
        Index();

        using var collection = _scratch.Open();
        var hit = collection.Search(BandPipeline.EmbeddingOf(SKColors.Orange), 1)[0];
        using var thumbnail = SKBitmap.Decode(collection.GetThumbnail(hit.FaceId));
        Assert.Equal((112, 112), (thumbnail.Width, thumbnail.Height));
        Assert.Equal(file.Replace('\\', '/'), collection.GetPhotoFilePath(hit.ImageId));
        Assert.Equal(File.ReadAllBytes(file), collection.GetPhotoBytes(hit.ImageId));
        Assert.Equal(0, CatalogScratch.Scalar(_scratch.Collection, "SELECT count(*) FROM photos"));
    }

    [Fact]
    public void cancelling_mid_run_then_resuming_gives_the_same_catalog_as_one_uninterrupted_run()
    {
        SinglePhotos(24);
        _scratch.Photo("group.png", SKColors.Red, SKColors.Green);
        File.WriteAllBytes(Path.Combine(_scratch.Photos, "broken.jpg"), [1, 2, 3]);
        var reference = Path.Combine(_scratch.Root, "reference");
        var straight = new BandPipeline();
        using (var collection = _scratch.Open(straight, reference))
        {
            new CollectionIndexer(collection).Run(_scratch.Photos, straight, Options(batch: 4));
        }

        using var cancel = new CancellationTokenSource();
        var interrupted = new BandPipeline { AfterEmbed = n => { if (n == 10) { cancel.Cancel(); } } };
        IndexingSummary first;
        using (var collection = _scratch.Open(interrupted))
        {
            first = new CollectionIndexer(collection).Run(_scratch.Photos, interrupted, Options(batch: 4), null, cancel.Token);
        }

        Assert.True(first.Cancelled);
        Assert.InRange(first.Seen, 1, 25);
        var second = Index(options: Options(batch: 4));

        Assert.False(second.Cancelled);
        Assert.Equal(first.Seen, second.Skipped);
        Assert.Equal(26, second.Seen);
        Assert.Equal(CatalogScratch.Dump(reference), CatalogScratch.Dump(_scratch.Collection));
        Assert.Equal(26, CatalogScratch.Scalar(_scratch.Collection, "SELECT count(*) FROM embeddings"));
    }

    [Fact]
    public void a_run_killed_inside_a_transaction_leaves_a_consistent_catalog_that_the_next_run_completes()
    {
        // A SIGKILL is simulated by copying the database and its write-ahead log while a batch transaction is open
        // and not yet committed: that copy is exactly what the disk holds if the process dies at that instant.
        SinglePhotos(12);
        var reference = Path.Combine(_scratch.Root, "reference");
        var pipeline = new BandPipeline();
        using (var collection = _scratch.Open(pipeline, reference))
        {
            new CollectionIndexer(collection).Run(_scratch.Photos, pipeline, Options(batch: 4));
        }

        var crashed = Path.Combine(_scratch.Root, "crashed");
        var batches = 0;
        using (var collection = _scratch.Open(pipeline))
        {
            collection.BeforeCommit = () =>
            {
                if (++batches == 2)
                {
                    Directory.CreateDirectory(crashed);
                    foreach (var name in new[] { "catalog.db", "catalog.db-wal" })
                    {
                        File.Copy(Path.Combine(_scratch.Collection, name), Path.Combine(crashed, name));
                    }
                }
            };
            new CollectionIndexer(collection).Run(_scratch.Photos, pipeline, Options(batch: 4) with { Workers = 1 });
        }

        Assert.Equal(4, CatalogScratch.Scalar(crashed, "SELECT count(*) FROM images"));
        Assert.Equal(0, CatalogScratch.Scalar(crashed, "SELECT count(*) FROM images i WHERE NOT EXISTS (SELECT 1 FROM faces f JOIN embeddings e ON e.face_id = f.id WHERE f.image_id = i.id)"));
        Assert.Equal(0, CatalogScratch.Scalar(crashed, "SELECT count(*) FROM faces f WHERE NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.face_id = f.id)"));

        using (var collection = _scratch.Open(pipeline, crashed))
        {
            Assert.Equal(4, collection.Stats().IndexedVectors);
            var resumed = new CollectionIndexer(collection).Run(_scratch.Photos, pipeline, Options(batch: 4));
            Assert.Equal((8, 4), (resumed.Indexed, resumed.Skipped));
        }

        Assert.Equal(CatalogScratch.Dump(reference), CatalogScratch.Dump(crashed));
    }

    [Fact]
    public void indexing_with_another_pipeline_than_the_collections_is_refused_clearly()
    {
        SinglePhotos(1);
        Index();
        var other = new BandPipeline(name: "mtcnn-facenet", modelId: "facenet-v2", dimensions: 8);

        var opening = Assert.Throws<CollectionMismatchException>(() => _scratch.Open(other));
        Assert.Contains("'bands'", opening.Message, StringComparison.Ordinal);
        Assert.Contains("'mtcnn-facenet'", opening.Message, StringComparison.Ordinal);

        using var collection = _scratch.Open();
        var running = Assert.Throws<CollectionMismatchException>(() =>
            new CollectionIndexer(collection).Run(_scratch.Photos, new BandPipeline(dimensions: 16), Options()));
        Assert.Contains("16 dimensions", running.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void a_photo_the_pipeline_fails_on_is_reported_and_the_run_goes_on()
    {
        SinglePhotos(3);
        _scratch.Photo("cursed.png", SKColors.Magenta);

        var summary = Index(new BandPipeline { FailOn = SKColors.Magenta });

        Assert.Equal((3, 1), (summary.Indexed, summary.Unreadable));
        var failure = Assert.Single(summary.Failures);
        Assert.EndsWith("cursed.png", failure.Path, StringComparison.Ordinal);
        Assert.Contains("the model produced NaN", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void a_truncated_archive_keeps_the_photos_before_the_damage_and_reports_the_archive()
    {
        for (var i = 0; i < 40; i++)
        {
            _scratch.Photo($"p{i:D2}.png", CatalogScratch.Colour(i), CatalogScratch.Colour(i + 1), CatalogScratch.Colour(i + 2));
        }

        var archive = _scratch.Archive();
        var bytes = File.ReadAllBytes(archive);
        File.WriteAllBytes(archive, bytes[..(bytes.Length / 2)]);

        var summary = Index(source: archive);

        Assert.InRange(summary.Indexed, 1, 39);
        var failure = Assert.Single(summary.Failures);
        Assert.Equal(Path.GetFullPath(archive), failure.Path);
        Assert.Contains("could not be read past photo", failure.Reason, StringComparison.Ordinal);
        Assert.False(summary.Cancelled);
    }

    [Fact]
    public async Task a_failing_catalog_write_ends_the_run_with_that_error_instead_of_hanging()
    {
        SinglePhotos(40);
        var pipeline = new BandPipeline();
        using var collection = _scratch.Open(pipeline);
        collection.BeforeCommit = () => throw new IOException("disk full");

        var run = new CollectionIndexer(collection).RunAsync(_scratch.Photos, pipeline, Options(batch: 2));

        var error = await Assert.ThrowsAsync<IOException>(() => run.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal("disk full", error.Message);
        Assert.Equal(0, collection.Stats().Images);
    }

    [Fact]
    public void a_source_that_does_not_exist_fails_before_anything_is_written()
    {
        var pipeline = new BandPipeline();
        using var collection = _scratch.Open(pipeline);
        Assert.Throws<FileNotFoundException>(() =>
            new CollectionIndexer(collection).Run(Path.Combine(_scratch.Root, "nowhere"), pipeline, Options()));
        Assert.Equal(0, collection.Stats().Images);
    }

    private sealed class SynchronousProgress(Action<IndexingProgress> report) : IProgress<IndexingProgress>
    {
        public void Report(IndexingProgress value) => report(value);
    }
}
