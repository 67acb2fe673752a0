using Npgsql;
using Rvs.Catalog;
using Rvs.Index;
using Rvs.Index.Garnet;
using Rvs.Testing;
using Rvs.Tests.Catalog;
using Rvs.Tests.Support;

namespace Rvs.Tests.Index.Garnet;

/// <summary>
/// Garnet on a shared PostgreSQL catalog, in one process: what a writer killed between its commit and the cluster
/// write queued is applied by the next process to open the catalog; a store that lost faces with nothing queued is
/// reported, not silently rebuilt, and `reindex` refills it. (MultiNodeTests runs the same with real processes.)
/// </summary>
[Trait(TestTier.Name, TestTier.Full)]
[Collection("garnet-single")]
public sealed class SharedCatalogGarnetTests(SingleGarnetFixture fx) : IDisposable
{
    private const int Photos = 12;

    private readonly CatalogScratch _scratch = new();
    private readonly Lazy<PostgresDatabase> _database = new(() => new PostgresDatabase());
    private readonly List<string> _warnings = [];

    public void Dispose()
    {
        if (_database.IsValueCreated)
        {
            _database.Value.Dispose();
        }

        _scratch.Dispose();
    }

    [PostgresFact]
    public void queued_faces_are_applied_by_the_next_opener_and_a_store_that_lost_faces_is_reported_then_refilled_by_reindex()
    {
        var garnet = new GarnetVectorIndexOptions(fx.Servers.Endpoints, "s" + Guid.NewGuid().ToString("N")[..8], Shards: 4, TimeoutMs: 30_000);
        var pipeline = new BandPipeline();
        for (var i = 0; i < Photos; i++)
        {
            _scratch.Photo($"p{i:D2}.png", CatalogScratch.Colour(i));
        }

        using (var collection = FaceCollection.OpenOrCreate(_database.Value.Uri, PipelineIdentity.Of(pipeline), Options(garnet)))
        {
            new CollectionIndexer(collection).Run(_scratch.Photos, pipeline, new IndexingOptions { Workers = 2 });
        }

        var faces = _database.Value.Scalar("SELECT count(*) FROM faces");
        Assert.Equal(Photos, faces);
        Assert.Equal(0, _database.Value.Scalar("SELECT count(*) FROM vector_outbox"));
        Assert.Equal(faces, Count(garnet));

        // As if a writer committed faces 1 and 2 and was killed before it wrote them to the cluster.
        using (var index = new GarnetVectorIndex(garnet, pipeline.Dimensions))
        {
            Assert.Equal(2, index.Remove([1, 2]));
        }

        Execute("INSERT INTO vector_outbox (face_id, removed) VALUES (1, false), (2, false)");
        using (var reopened = FaceCollection.Open(_database.Value.Uri, Options(garnet)))
        {
            Assert.Equal(faces, reopened.IndexedFaces);
        }

        Assert.Equal(0, _database.Value.Scalar("SELECT count(*) FROM vector_outbox"));
        Assert.Empty(_warnings);

        // A face gone from the cluster with nothing queued (a node restarted without its files): said, not hidden.
        using (var index = new GarnetVectorIndex(garnet, pipeline.Dimensions))
        {
            Assert.Equal(1, index.Remove([3]));
        }

        using (var reopened = FaceCollection.Open(_database.Value.Uri, Options(garnet)))
        {
            Assert.Equal(faces - 1, reopened.IndexedFaces);
            var warning = Assert.Single(_warnings);
            Assert.Contains($"holds {faces - 1} faces", warning, StringComparison.Ordinal);
            Assert.Contains("rvs reindex --catalog", warning, StringComparison.Ordinal);

            Assert.Equal(faces, reopened.Reindex());
            var removed = reopened.RemoveImage(1);
            Assert.Equal(1, removed.Faces);
        }

        Assert.Equal(faces - 1, Count(garnet));
        Assert.Equal(faces - 1, _database.Value.Scalar("SELECT count(*) FROM faces"));
        Assert.Equal(0, _database.Value.Scalar("SELECT count(*) FROM vector_outbox"));
    }

    private CollectionOptions Options(GarnetVectorIndexOptions garnet) => new()
    {
        BackEnd = GarnetBackEnd.Named("unused", garnet),
        BackEnds = VectorBackEnds.Embedded.With(GarnetBackEnd.KindName, GarnetBackEnd.FromSettings),
        Warnings = _warnings.Add,
    };

    private static long Count(GarnetVectorIndexOptions garnet)
    {
        using var index = new GarnetVectorIndex(garnet, 8);
        return index.Count;
    }

    private void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(_database.Value.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
