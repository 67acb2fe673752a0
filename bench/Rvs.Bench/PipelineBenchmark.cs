using System.Diagnostics;
using System.Globalization;
using Rvs.Imaging;
using Rvs.Pipelines;
using Rvs.Sources;

namespace Rvs.Bench;

/// <summary>
/// Images per second for decode + detect + align + embed on LFW photos, comparing ways of spending the cores:
/// photos in parallel with one ONNX Runtime thread each, against one photo at a time with all threads.
/// Photo bytes are read into memory first, so disk and gunzip time are not counted.
/// </summary>
internal static class PipelineBenchmark
{
    public static int Run(string[] args)
    {
        var lfw = BenchArguments.Lfw(args);
        var count = int.Parse(BenchArguments.Value(args, "--count") ?? "1000", CultureInfo.InvariantCulture);
        var pipelineName = BenchArguments.Value(args, "--pipeline") ?? PipelineNames.MtcnnFaceNet;
        var cores = Environment.ProcessorCount;

        var photos = PhotoSource.Enumerate(lfw).Take(count).ToList();
        Console.WriteLine($"pipeline {pipelineName}, {photos.Count} photos from {lfw}, {cores} cores, {DateTime.UtcNow:yyyy-MM-dd}");
        Console.WriteLine("| workers × ORT threads | images/s | faces | photos with a face |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var (workers, threads) in new[] { (cores, 1), (1, cores) })
        {
            using var pipeline = PipelineFactory.Create(pipelineName, threads);
            Measure(pipeline, photos.Take(Math.Min(20, photos.Count)).ToList(), workers); // warm-up: JIT and ORT allocations
            var (seconds, faces, withFace) = Measure(pipeline, photos, workers);
            Console.WriteLine($"| {workers} × {threads} | {photos.Count / seconds:0.0} | {faces} | {withFace} |");
        }

        return 0;
    }

    private static (double Seconds, int Faces, int PhotosWithFace) Measure(IEmbeddingPipeline pipeline, List<SourcePhoto> photos, int workers)
    {
        var clock = Stopwatch.StartNew();
        var counts = photos
            .AsParallel()
            .WithDegreeOfParallelism(workers)
            .Select(p => pipeline.Embed(ImageDecoder.Decode(p.Bytes)).Count)
            .ToList();
        return (clock.Elapsed.TotalSeconds, counts.Sum(), counts.Count(c => c > 0));
    }
}
