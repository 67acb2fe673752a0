using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Rvs.Catalog;
using Rvs.Pipelines;
using Rvs.Server;
using Rvs.Sources;

namespace Rvs.Bench;

/// <summary>
/// End-to-end latency of POST /api/search as a client sees it: a real Kestrel server on loopback, a real HttpClient,
/// multipart upload, decode, detect, embed and index search. Measured one at a time, then several in flight.
/// The collection is the first photos of LFW indexed into a temporary folder (or an existing one, with --collection).
/// </summary>
internal static class ServeBenchmark
{
    public const string Usage =
        "Rvs.Bench serve [--load: see ServeLoadBenchmark] [--lfw ../shared/data/lfw.tgz] [--photos 500] [--queries 200] [--concurrency 8] [--collection DIR (reused, or built and kept)] [--slots N] [--threads N]";

    public static int Run(string[] args)
    {
        if (args.Contains("--load"))
        {
            return ServeLoadBenchmark.Run(args);
        }

        var concurrency = BenchArguments.Int(args, "--concurrency", 8);
        var slots = BenchArguments.Value(args, "--slots") is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : (int?)null;
        var threads = BenchArguments.Value(args, "--threads") is { } t ? int.Parse(t, CultureInfo.InvariantCulture) : (int?)null;

        var (collection, queries, scratch) = Prepare(args, BenchArguments.Int(args, "--photos", 500), BenchArguments.Int(args, "--queries", 200));
        try
        {
            var options = new ServerOptions { CollectionDirectory = collection, Urls = "http://127.0.0.1:0" };
            if (slots is { } n)
            {
                options = options with { ModelSlots = n };
            }

            if (threads is { } m)
            {
                options = options with { IntraOpThreads = m };
            }

            using var app = RvsServer.Build(options);
            app.StartAsync().GetAwaiter().GetResult();
            try
            {
                var address = new Uri(app.Urls.Single());
                using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(5) };
                var stats = client.GetStringAsync("/api/stats").GetAwaiter().GetResult();
                Console.WriteLine($"server {address} on {Environment.ProcessorCount} cores, model slots {options.ModelSlots}, ORT threads per model {options.IntraOpThreads}, {DateTime.UtcNow:yyyy-MM-dd}");
                Console.WriteLine($"collection: {stats}");
                Console.WriteLine($"{queries.Count} query photos (mean {queries.Average(q => q.Length) / 1024:0.0} KB), k=20");

                // Warm-up: JIT, ORT arenas, connection setup.
                foreach (var q in queries.Take(10))
                {
                    Search(client, q).GetAwaiter().GetResult();
                }

                Console.WriteLine("| mode | requests | p50 ms | p90 ms | p99 ms | max ms | mean ms | requests/s | non-200 |");
                Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
                Report("sequential", Measure(client, queries, 1));
                Report($"concurrent ({concurrency} in flight)", Measure(client, queries, concurrency));
            }
            finally
            {
                app.StopAsync().GetAwaiter().GetResult();
            }
        }
        finally
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }

        return 0;
    }

    /// <summary>
    /// The collection to serve (the first photos of --lfw indexed into a scratch folder, or --collection) and query
    /// photos that come after the indexed ones in the archive, so they are not in the collection. The caller deletes
    /// the scratch folder.
    /// </summary>
    public static (string Collection, List<byte[]> Queries, string Scratch) Prepare(string[] args, int photoCount, int queryCount)
    {
        var existing = BenchArguments.Value(args, "--collection");
        var scratch = Path.Combine(Path.GetTempPath(), $"rvs-serve-bench-{Guid.NewGuid():N}");
        var photos = PhotoSource.Enumerate(BenchArguments.Lfw(args)).Take(photoCount + queryCount).ToList();
        var queries = photos.Skip(photoCount).Take(queryCount).Select(p => p.Bytes).ToList();
        // A --collection that does not exist yet is built and kept, so later runs can skip indexing.
        var collection = existing is not null && FaceCollection.Exists(existing)
            ? existing
            : Index(photos.Take(photoCount).ToList(), scratch, existing);
        return (collection, queries, scratch);
    }

    private static string Index(List<SourcePhoto> photos, string scratch, string? keep)
    {
        // A kept collection points at its photo files, so they are kept beside it (DIR-photos).
        var folder = keep is null ? Path.Combine(scratch, "photos") : Path.GetFullPath(keep).TrimEnd(Path.DirectorySeparatorChar) + "-photos";
        foreach (var photo in photos)
        {
            var path = Path.Combine(folder, photo.RelativePath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, photo.Bytes);
        }

        var directory = keep ?? Path.Combine(scratch, "collection");
        using var pipeline = PipelineFactory.Create(PipelineNames.MtcnnFaceNet);
        using var collection = FaceCollection.OpenOrCreate(directory, PipelineIdentity.Of(pipeline), new CollectionOptions());
        var summary = new CollectionIndexer(collection).Run(folder, pipeline, new IndexingOptions { LabelFromFolder = true });
        Console.WriteLine($"indexed {summary.Indexed} photos ({summary.Faces} faces, {summary.NoFace} without a face) in {summary.Elapsed.TotalSeconds:0.0} s");
        return directory;
    }

    private sealed record Timing(List<double> Milliseconds, double Seconds, int Failures);

    private static Timing Measure(HttpClient client, List<byte[]> queries, int concurrency)
    {
        var times = new double[queries.Count];
        var failures = 0;
        var clock = Stopwatch.StartNew();
        Parallel.ForEachAsync(Enumerable.Range(0, queries.Count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
        {
            var start = Stopwatch.GetTimestamp();
            var ok = await Search(client, queries[i]);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (!ok)
            {
                Interlocked.Increment(ref failures);
            }
        }).GetAwaiter().GetResult();
        return new Timing([.. times], clock.Elapsed.TotalSeconds, failures);
    }

    private static async Task<bool> Search(HttpClient client, byte[] photo)
    {
        using var form = new MultipartFormDataContent();
        using var file = new ByteArrayContent(photo);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        form.Add(file, "photo", "query.jpg");
        using var response = await client.PostAsync("/api/search", form);
        // The body is read in full, as a real client would, so serialisation and transfer are counted.
        await response.Content.ReadAsByteArrayAsync();
        return response.IsSuccessStatusCode;
    }

    private static void Report(string mode, Timing run)
    {
        var sorted = run.Milliseconds.Order().ToList();
        double P(double q) => Percentiles.Of(sorted, q * 100);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {mode} | {sorted.Count} | {P(0.50):0.0} | {P(0.90):0.0} | {P(0.99):0.0} | {sorted[^1]:0.0} | {sorted.Average():0.0} | {sorted.Count / run.Seconds:0.0} | {run.Failures} |"));
    }
}
