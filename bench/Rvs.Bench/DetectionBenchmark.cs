using System.Diagnostics;
using Rvs.Imaging;
using Rvs.Pipelines;
using Rvs.Sources;

namespace Rvs.Bench;

/// <summary>
/// How often MTCNN finds the labelled face of an LFW photo: a face whose box centre lies in the central half of the
/// photo (LFW centres the labelled person). Misses are listed, split into "no face at all" and "faces, none central".
/// </summary>
internal static class DetectionBenchmark
{
    public static int Run(string[] args)
    {
        var lfw = BenchArguments.Lfw(args);
        using var detector = PipelineFactory.CreateDetector();
        var clock = Stopwatch.StartNew();
        var results = PhotoSource.Enumerate(lfw)
            .AsParallel()
            .WithDegreeOfParallelism(Environment.ProcessorCount)
            .Select(p =>
            {
                var photo = ImageDecoder.Decode(p.Bytes);
                var faces = detector.Detect(photo.Image);
                var central = faces.Any(f => Math.Abs(f.Center.X - photo.Image.Width / 2f) <= photo.Image.Width / 4f
                                             && Math.Abs(f.Center.Y - photo.Image.Height / 2f) <= photo.Image.Height / 4f);
                return (p.RelativePath, Faces: faces.Count, Central: central);
            })
            .ToList();
        var none = results.Where(r => r.Faces == 0).ToList();
        var offCentre = results.Where(r => r.Faces > 0 && !r.Central).ToList();
        var found = results.Count - none.Count - offCentre.Count;
        Console.WriteLine($"{results.Count} photos in {clock.Elapsed.TotalSeconds:0} s: central face found in {found} ({100.0 * found / results.Count:0.00}%); " +
                          $"no face: {none.Count}; faces but none central: {offCentre.Count}; faces in all: {results.Sum(r => r.Faces)}");
        foreach (var miss in none.Concat(offCentre).OrderBy(r => r.RelativePath, StringComparer.Ordinal))
        {
            Console.WriteLine($"  miss: {miss.RelativePath} ({miss.Faces} faces)");
        }

        return 0;
    }
}
