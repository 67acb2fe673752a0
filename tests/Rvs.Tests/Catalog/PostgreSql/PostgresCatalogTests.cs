using Npgsql;
using Rvs.Catalog;
using Rvs.Catalog.PostgreSql;
using Rvs.Imaging;
using Rvs.Testing;
using Rvs.Tests.Support;

namespace Rvs.Tests.Catalog.PostgreSql;

/// <summary>
/// The shared catalog on a real PostgreSQL server (the one `./test` starts, see <see cref="PostgresServer"/>): the
/// same photos give the same answers as in catalog.db, indexers writing at once store each photo once, and a
/// database made by an older schema is brought up to date.
/// </summary>
[Trait(TestTier.Name, TestTier.Full)]
public sealed class PostgresCatalogTests : IDisposable
{
    private static readonly string[] People = ["Colin_Powell", "Tony_Blair", "Hugo_Chavez"];

    private readonly CatalogScratch _scratch = new();
    private readonly Lazy<PostgresDatabase> _database = new(() => new PostgresDatabase());

    private string Uri => _database.Value.Uri;

    public void Dispose()
    {
        if (_database.IsValueCreated)
        {
            _database.Value.Dispose();
        }

        _scratch.Dispose();
    }

    [PostgresFact]
    public void band_photos_in_postgresql_give_the_answers_they_give_in_catalog_db_and_no_directory_is_made()
    {
        for (var i = 0; i < 12; i++)
        {
            _scratch.Photo($"person{i % 3}/p{i:D2}.png", CatalogScratch.Colour(i), CatalogScratch.Colour(i + 20));
        }

        var pipeline = new BandPipeline();
        var options = new IndexingOptions { Workers = 2, LabelFromFolder = true };
        using var local = FaceCollection.OpenOrCreate(_scratch.Collection, PipelineIdentity.Of(pipeline));
        using var shared = FaceCollection.OpenOrCreate(Uri, PipelineIdentity.Of(pipeline));
        new CollectionIndexer(local).Run(_scratch.Photos, pipeline, options);
        var summary = new CollectionIndexer(shared).Run(_scratch.Photos, pipeline, options);

        Assert.Equal(12, summary.Indexed);
        Assert.Null(shared.Directory);
        Assert.Equal(Uri, shared.Location);
        // Were the URI taken for a directory, it would have been made under the current one.
        Assert.False(Directory.Exists(Path.GetFullPath("postgresql:")));
        using var reopened = FaceCollection.Open(Uri, new CollectionOptions { ReadOnly = true });
        Assert.Equal(Counts(local.Stats()), Counts(reopened.Stats()));
        Assert.Equal(24, reopened.IndexedFaces);
        for (var i = 0; i < 12; i++)
        {
            var query = BandPipeline.EmbeddingOf(CatalogScratch.Colour(i));
            Assert.Equal(Answer(local.Search(query, 5)), Answer(reopened.Search(query, 5)));
            var best = reopened.Search(query, 1)[0];
            Assert.NotNull(reopened.GetThumbnail(best.FaceId));
            Assert.Equal(local.GetThumbnail(local.Search(query, 1)[0].FaceId), reopened.GetThumbnail(best.FaceId));
        }
    }

    [PostgresFact]
    public void lfw_photos_indexed_into_postgresql_are_found_as_in_catalog_db()
    {
        foreach (var person in People)
        {
            Directory.CreateDirectory(Path.Combine(_scratch.Photos, person));
            for (var i = 1; i <= 3; i++)
            {
                File.Copy(TestData.LfwPhoto(person, i), Path.Combine(_scratch.Photos, person, $"{person}_{i:0000}.jpg"));
            }
        }

        var pipeline = SharedPipelines.FaceNet;
        var options = new IndexingOptions { LabelFromFolder = true };
        using var local = FaceCollection.OpenOrCreate(_scratch.Collection, PipelineIdentity.Of(pipeline));
        using (var writer = FaceCollection.OpenOrCreate(Uri, PipelineIdentity.Of(pipeline)))
        {
            Assert.Equal(9, new CollectionIndexer(writer).Run(_scratch.Photos, pipeline, options).Indexed);
        }

        new CollectionIndexer(local).Run(_scratch.Photos, pipeline, options);
        using var shared = FaceCollection.Open(Uri, new CollectionOptions { ReadOnly = true });
        foreach (var person in People)
        {
            var query = pipeline.Embed(ImageDecoder.DecodeFile(TestData.LfwPhoto(person, 4)))[0].Embedding;
            var hits = shared.Search(query, 5);
            Assert.Equal(person, hits[0].Label);
            Assert.Equal(Answer(local.Search(query, 5)), Answer(hits));
        }
    }

    [PostgresFact]
    public void two_indexers_writing_at_once_store_each_photo_once()
    {
        for (var i = 0; i < 24; i++)
        {
            _scratch.Photo($"p{i:D2}.png", CatalogScratch.Colour(i));
        }

        var pipeline = new BandPipeline();

        // Both create the catalog, as two `rvs index` started together on an empty database do; small batches, so
        // the two runs' transactions interleave over the same photos.
        var summaries = Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            using var collection = FaceCollection.OpenOrCreate(Uri, PipelineIdentity.Of(pipeline));
            return new CollectionIndexer(collection).Run(_scratch.Photos, pipeline, new IndexingOptions { Workers = 2, BatchSize = 2 });
        }))).GetAwaiter().GetResult();

        Assert.All(summaries, s => Assert.Equal(24, s.Seen));
        Assert.Equal(24, _database.Value.Scalar("SELECT count(*) FROM images"));
        Assert.Equal(24, _database.Value.Scalar("SELECT count(DISTINCT path) FROM images"));
        Assert.Equal(24, _database.Value.Scalar("SELECT count(*) FROM faces"));
        Assert.Equal(24, _database.Value.Scalar("SELECT count(*) FROM thumbnails"));
        using var reader = FaceCollection.Open(Uri, new CollectionOptions { ReadOnly = true });
        Assert.Equal(24, reader.IndexedFaces);
        Assert.Single(reader.Search(BandPipeline.EmbeddingOf(CatalogScratch.Colour(3)), 24), h => h.Distance < 1e-4);
    }

    [PostgresFact]
    public void processes_that_create_the_catalog_at_once_create_it_once()
    {
        var pipeline = PipelineIdentity.Of(new BandPipeline());
        Task<FaceCollection>[] opening;
        using (var holder = new NpgsqlConnection(_database.Value.ConnectionString))
        {
            // Holding the migration lock makes both wait at it, each having seen an empty database.
            holder.Open();
            using var transaction = holder.BeginTransaction();
            using (var take = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({PostgresSchema.MigrationLock})", holder, transaction))
            {
                take.ExecuteNonQuery();
            }

            opening = [.. Enumerable.Range(0, 2).Select(_ => Task.Run(() => FaceCollection.OpenOrCreate(Uri, pipeline)))];
            Thread.Sleep(1000);
            Assert.All(opening, t => Assert.False(t.IsCompleted));
            transaction.Commit();
        }

        var collections = Task.WhenAll(opening).GetAwaiter().GetResult();
        Assert.All(collections, c => Assert.Equal(PostgresSchema.Latest, c.Settings.SchemaVersion));
        Assert.Equal(PostgresSchema.Steps.Length, _database.Value.Scalar("SELECT count(*) FROM schema_migrations"));
        foreach (var collection in collections)
        {
            collection.Dispose();
        }
    }

    [PostgresFact]
    public void photos_removed_by_folder_or_by_id_leave_the_catalog_and_the_index()
    {
        for (var i = 0; i < 6; i++)
        {
            _scratch.Photo($"{(i < 4 ? "keep" : "drop")}/p{i:D2}.png", CatalogScratch.Colour(i));
        }

        var pipeline = new BandPipeline();
        using var collection = FaceCollection.OpenOrCreate(Uri, PipelineIdentity.Of(pipeline));
        new CollectionIndexer(collection).Run(_scratch.Photos, pipeline, new IndexingOptions { Workers = 2 });

        Assert.Equal(new RemovalSummary(2, 2), collection.Remove([Path.Combine(_scratch.Photos, "drop")]));
        Assert.Equal(new RemovalSummary(0, 0), collection.Remove([Path.Combine(_scratch.Photos, "nothing-here")]));
        var kept = collection.FindImage(Path.Combine(_scratch.Photos, "keep", "p00.png").Replace('\\', '/'))!;
        Assert.Equal(new RemovalSummary(1, 1), collection.RemoveImage(kept.ImageId));

        Assert.Equal(3, collection.IndexedFaces);
        Assert.Equal(3, _database.Value.Scalar("SELECT count(*) FROM images"));
        Assert.Equal(0, _database.Value.Scalar("SELECT count(*) FROM thumbnails t LEFT JOIN faces f ON f.id = t.face_id WHERE f.id IS NULL"));
        Assert.Equal(3, collection.Reindex(new Rvs.Index.HnswBackEnd()));
        using var reopened = FaceCollection.Open(Uri, new CollectionOptions { ReadOnly = true });
        Assert.Equal(("hnsw", 3L), (reopened.IndexKind, reopened.IndexedFaces));
    }

    [PostgresFact]
    public void a_catalog_at_an_older_schema_version_is_migrated_when_opened_to_write()
    {
        var pipeline = PipelineIdentity.Of(new BandPipeline());
        using (var connection = new NpgsqlConnection(_database.Value.ConnectionString))
        {
            connection.Open();
            using var transaction = connection.BeginTransaction();
            PostgresSchema.Migrate(connection, transaction, target: 1);
            foreach (var (key, value) in CatalogQueries.Initial(pipeline, schemaVersion: 1))
            {
                CatalogQueries.WriteSetting(connection, transaction, key, value);
            }

            CatalogQueries.WriteBackEnd(connection, transaction, "exact", new Dictionary<string, string>());
            transaction.Commit();
        }

        var refused = Assert.Throws<CollectionException>(() => FaceCollection.Open(Uri, new CollectionOptions { ReadOnly = true }));
        Assert.Contains("schema version 1", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"rvs index --catalog {Uri}", refused.Message, StringComparison.Ordinal);

        using (var upgraded = FaceCollection.OpenOrCreate(Uri, pipeline))
        {
            Assert.Equal(PostgresSchema.Latest, upgraded.Settings.SchemaVersion);
        }

        Assert.Equal(PostgresSchema.Latest, _database.Value.Scalar("SELECT max(version) FROM schema_migrations"));
        Assert.Equal(PostgresSchema.Steps.Length, _database.Value.Scalar("SELECT count(*) FROM schema_migrations"));
        Assert.Equal(1, _database.Value.Scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'images_content_hash'"));
        using var reader = FaceCollection.Open(Uri, new CollectionOptions { ReadOnly = true });
        Assert.Equal(PostgresSchema.Latest, reader.Settings.SchemaVersion);
    }

    private static string Counts(CollectionStats stats) => FormattableString.Invariant(
        $"{stats.Images} {stats.Faces} {stats.People} {stats.LowQualityFaces} {stats.LoadedIndexKind} {stats.IndexedVectors} {string.Join(',', stats.ImagesByStatus.OrderBy(s => s.Key))}");

    // What a user sees of a hit: the photo, its label and the distance (face ids differ between catalogs).
    private static List<string> Answer(IReadOnlyList<SearchHit> hits) =>
        [.. hits.Select(h => FormattableString.Invariant($"{h.Rank} {h.Path} {h.Label} {h.Distance:0.0000}"))];
}
