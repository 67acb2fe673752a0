using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Rvs.Catalog;

namespace Rvs.Tests.Catalog;

public sealed class KilledIndexingTests : IDisposable
{
    private readonly CatalogScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void a_run_killed_with_sigkill_leaves_a_consistent_catalog_that_the_next_run_completes()
    {
        const int Photos = 30;
        for (var i = 0; i < Photos; i++)
        {
            _scratch.Photo($"p{i:D2}.png", CatalogScratch.Colour(i));
        }

        var reference = Path.Combine(_scratch.Root, "reference");
        var pipeline = new BandPipeline();
        using (var collection = _scratch.Open(pipeline, reference))
        {
            new CollectionIndexer(collection).Run(_scratch.Photos, pipeline, new IndexingOptions { Workers = 2 });
        }

        using (var child = StartChild(_scratch.Collection, _scratch.Photos))
        {
            var deadline = Stopwatch.StartNew();
            while (CommittedImages(_scratch.Collection) < 6)
            {
                if (child.HasExited)
                {
                    Assert.Fail("the child finished or failed before it could be killed: " + child.StandardError.ReadToEnd());
                }

                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "the child made no progress");
                Thread.Sleep(10);
            }

            child.Kill(); // SIGKILL on Unix: no finally blocks, no disposal, no checkpoint.
            child.WaitForExit();
        }

        var survived = CommittedImages(_scratch.Collection);
        Assert.InRange(survived, 6, Photos - 1);
        Assert.Equal("ok", Query(_scratch.Collection, "PRAGMA integrity_check"));
        Assert.Equal(0L, Query(_scratch.Collection, "SELECT count(*) FROM images i WHERE NOT EXISTS (SELECT 1 FROM faces f JOIN embeddings e ON e.face_id = f.id WHERE f.image_id = i.id)"));
        Assert.Equal(0L, Query(_scratch.Collection, "SELECT count(*) FROM faces f WHERE NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.face_id = f.id) OR NOT EXISTS (SELECT 1 FROM images i WHERE i.id = f.image_id)"));

        using (var collection = _scratch.Open(pipeline))
        {
            var resumed = new CollectionIndexer(collection).Run(_scratch.Photos, pipeline, new IndexingOptions { Workers = 2 });
            Assert.Equal(survived, resumed.Skipped);
            Assert.Equal(Photos - survived, resumed.Indexed);
        }

        Assert.Equal(CatalogScratch.Dump(reference), CatalogScratch.Dump(_scratch.Collection));
    }

    private static Process StartChild(string collection, string photos)
    {
        var host = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "exec", typeof(TestProgram).Assembly.Location, SlowIndexingChild.Role, collection, photos })
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start the child process");
    }

    private static long CommittedImages(string collection) =>
        File.Exists(Path.Combine(collection, "catalog.db"))
            ? TryQuery(collection, "SELECT count(*) FROM images") is long n ? n : 0
            : 0;

    private static object? TryQuery(string collection, string sql)
    {
        try
        {
            return Query(collection, sql);
        }
        catch (SqliteException)
        {
            // The child may still be creating the schema.
            return null;
        }
    }

    private static object? Query(string collection, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(collection, "catalog.db")};Mode=ReadWrite;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
