using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Rvs.Catalog;
using Rvs.Evaluation;
using Rvs.People;
using Rvs.Pipelines;

namespace Rvs.Bench;

/// <summary>
/// The person store on a catalog holding all of LFW: a full `rvs people recluster`, then `rvs people place` after
/// each of a few photos is added, one at a time, with the full re-cluster as the same-run baseline. The catalog is
/// filled straight from the cached LFW embeddings (one face per photo, as `rvs eval` embeds them), not by the
/// indexer, so the figures are the store's alone: no detection or embedding.
/// </summary>
internal static class PeopleBenchmark
{
    public static int Run(string[] args)
    {
        var added = BenchArguments.Int(args, "--added", 20);
        using var pipeline = PipelineFactory.Create(PipelineNames.MtcnnFaceNet);
        var options = new LfwEvaluationOptions { Source = BenchArguments.Lfw(args), PairsPath = Rvs.Sources.LfwLocator.SharedPairs, Cache = new EmbeddingCache(EmbeddingCache.DefaultDirectory()) };
        var set = LfwEvaluation.EmbedOrLoad(pipeline, options);
        var directory = Directory.CreateTempSubdirectory("rvs-people-bench-").FullName;
        try
        {
            using (FaceCollection.OpenOrCreate(directory, PipelineIdentity.Of(pipeline), new CollectionOptions { BackEnd = new Rvs.Index.ExactBackEnd() }))
            {
            }

            var database = Path.Combine(directory, "catalog.db");
            var later = Enumerable.Range(0, set.Count).Where(i => i % (set.Count / added) == 0).Take(added).ToList();
            Insert(database, set, [.. Enumerable.Range(0, set.Count).Except(later)]);
            var store = PeopleStore.ForCollection(directory);
            var clustering = MeasuredClusteringOptions.ForModel(pipeline.ModelId, set.Count);

            var clock = Stopwatch.StartNew();
            var full = store.Recluster(clustering);
            var reclusterMs = clock.Elapsed.TotalMilliseconds;

            var place = new List<double>();
            foreach (var row in later)
            {
                Insert(database, set, [row]);
                clock.Restart();
                store.PlaceNewFaces(clustering);
                place.Add(clock.Elapsed.TotalMilliseconds);
            }

            place.Sort();
            var median = place[place.Count / 2];

            // The same again with a live index of the whole collection handed in, as a server holding one would.
            var more = Enumerable.Range(0, set.Count).Where(i => i % (set.Count / added) == 1).Take(added).ToList();
            using var live = new Rvs.Index.ExactVectorIndex(set.Dimensions, set.Count);
            var present = Enumerable.Range(0, set.Count).Except(more).ToList();
            foreach (var row in present)
            {
                live.Add([FaceIdOf(database, set.Keys[row])], set.Row(row));
            }

            var withIndex = new List<double>();
            foreach (var row in more)
            {
                Remove(database, set.Keys[row]);
            }

            store.PlaceNewFaces(clustering, live);
            foreach (var row in more)
            {
                Insert(database, set, [row]);
                clock.Restart();
                live.Add([FaceIdOf(database, set.Keys[row])], set.Row(row));
                store.PlaceNewFaces(clustering, live);
                withIndex.Add(clock.Elapsed.TotalMilliseconds);
            }

            withIndex.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                {set.Count - later.Count} LFW faces in a catalog; {Environment.ProcessorCount} cores; {DateTime.UtcNow:yyyy-MM-dd}
                | step | ms |
                |---|---:|
                | recluster all ({full.Faces} faces into {full.Persons} persons), baseline | {reclusterMs:0} |
                | place one new photo's face, median of {place.Count} | {median:0} ({median / reclusterMs:P1} of a recluster) |
                | place one new photo's face, slowest | {place[^1]:0} |
                | with the collection's index handed in: place one, median of {withIndex.Count} | {withIndex[withIndex.Count / 2]:0} ({withIndex[withIndex.Count / 2] / reclusterMs:P1} of a recluster) |
                | with the collection's index handed in: slowest | {withIndex[^1]:0} |
                """));
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static long FaceIdOf(string database, string key)
    {
        using var connection = new SqliteConnection($"Data Source={database}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT f.id FROM faces f JOIN images i ON i.id = f.image_id WHERE i.path = $k";
        command.Parameters.AddWithValue("$k", key);
        return (long)command.ExecuteScalar()!;
    }

    private static void Remove(string database, string key)
    {
        using var connection = new SqliteConnection($"Data Source={database};Foreign Keys=True");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM images WHERE path = $k";
        command.Parameters.AddWithValue("$k", key);
        command.ExecuteNonQuery();
    }

    /// <summary>One indexed photo per row, with its one face and embedding, labelled with its LFW person.</summary>
    private static void Insert(string database, EmbeddingSet set, IReadOnlyList<int> rows)
    {
        using var connection = new SqliteConnection($"Data Source={database};Foreign Keys=True");
        connection.Open();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO images (path, source, entry, from_archive, content_hash, size, status, label, width, height, indexed_at)
            VALUES ($key, 'lfw', $key, 1, $key, 0, 'indexed', $label, 250, 250, '2026-01-01');
            INSERT INTO faces (image_id, ordinal, x, y, w, h, score, landmarks, label) VALUES (last_insert_rowid(), 0, 70, 70, 110, 110, 1, '[]', $label);
            INSERT INTO embeddings (face_id, model_id, vector) VALUES (last_insert_rowid(), 'm', $vector);
            """;
        var key = command.Parameters.Add("$key", SqliteType.Text);
        var label = command.Parameters.Add("$label", SqliteType.Text);
        var vector = command.Parameters.Add("$vector", SqliteType.Blob);
        foreach (var row in rows)
        {
            key.Value = set.Keys[row];
            label.Value = LfwPairs.LabelOfKey(set.Keys[row]);
            vector.Value = MemoryMarshal.AsBytes(set.Row(row)).ToArray();
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }
}
