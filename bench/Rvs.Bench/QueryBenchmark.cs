using System.Diagnostics;
using System.Globalization;
using Rvs.Catalog;
using Rvs.Imaging;
using Rvs.Index;
using Rvs.Pipelines;
using Rvs.Sources;

namespace Rvs.Bench;

/// <summary>
/// End-to-end latency of one query against a collection: decode + detect + align + embed + search (top 20), one
/// photo at a time, as `rvs search` and the server run it, with one ONNX Runtime thread (the default) and with all
/// cores, to show which is faster. Query photos are
/// read into memory first; the search alone is also timed, for both embedded back ends, in the same process.
/// </summary>
internal static class QueryBenchmark
{
    public static int Run(string[] args)
    {
        var directory = BenchArguments.Value(args, "--collection") ?? "lfw-collection";
        var source = BenchArguments.Lfw(args);
        var count = int.Parse(BenchArguments.Value(args, "--queries") ?? "200", CultureInfo.InvariantCulture);
        var photos = PhotoSource.Enumerate(source).Where((_, i) => i % 53 == 0).Take(count).Select(p => p.Bytes).ToList();

        Console.WriteLine($"{photos.Count} query photos from {source}; collection {directory}; {Environment.ProcessorCount} cores; {DateTime.UtcNow:yyyy-MM-dd}");
        Console.WriteLine("| back end | ORT threads | faces | end to end p50 ms | p99 ms | search alone p50 ms | p99 ms |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var (kind, threads) in new[] { (ExactBackEnd.KindName, 1), (HnswBackEnd.KindName, 1), (ExactBackEnd.KindName, Environment.ProcessorCount) })
        {
            using var pipeline = PipelineFactory.Create(PipelineNames.MtcnnFaceNet, threads);
            // A back end chosen for this run only: measuring must not change the one the collection records.
            using var collection = FaceCollection.Open(directory, new CollectionOptions { BackEnd = VectorBackEnds.Embedded.FromSettings(kind, new Dictionary<string, string>(), 0) });
            foreach (var warm in photos.Take(5))
            {
                Query(pipeline, collection, warm);
            }

            var total = new List<double>();
            var search = new List<double>();
            foreach (var photo in photos)
            {
                var clock = Stopwatch.StartNew();
                var searchTime = Query(pipeline, collection, photo);
                total.Add(clock.Elapsed.TotalMilliseconds);
                search.Add(searchTime);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {kind} | {threads} | {collection.Stats().Faces:N0} | {Percentiles.Of(total, 50):0.0} | {Percentiles.Of(total, 99):0.0} | {Percentiles.Of(search, 50):0.000} | {Percentiles.Of(search, 99):0.000} |"));
        }

        return 0;
    }

    /// <summary>Runs one query; returns the milliseconds spent in the vector search.</summary>
    private static double Query(IEmbeddingPipeline pipeline, FaceCollection collection, byte[] photo)
    {
        var faces = pipeline.Embed(ImageDecoder.Decode(photo));
        if (faces.Count == 0)
        {
            return 0;
        }

        var clock = Stopwatch.StartNew();
        collection.Search(faces[0].Embedding, 20);
        return clock.Elapsed.TotalMilliseconds;
    }

}
