using System.Diagnostics;
using System.Globalization;
using Rvs.Detection;
using Rvs.Embedding;
using Rvs.Evaluation;
using Rvs.Imaging;
using Rvs.Pipelines;
using Rvs.Sources;
using SkiaSharp;

namespace Rvs.Bench;

/// <summary>
/// How small a face may be before its embedding stops being trustworthy: the measurement behind
/// <see cref="FaceQuality.MinimumSide"/>. For LFW pairs, the first photo is kept as it is (a good query) and the
/// second is shrunk, as if taken from farther away, until its subject's face box has the given side; both go through
/// the whole pipeline (detection included). Per side it reports how often the shrunk face is still found, and the
/// share of same-person pairs (TAR) and different-person pairs (FAR) under the 1:1 pair threshold of
/// models/verification.json, against the photos at full size in the same run. It also reports the detector's scores
/// of the subjects' faces at full size, the distribution behind <see cref="FaceQuality.MinimumScore"/>.
/// </summary>
internal static class FaceSizeBenchmark
{
    public static int Run(string[] args)
    {
        var lfw = BenchArguments.Lfw(args);
        var pairsPath = BenchArguments.Value(args, "--pairs") ?? LfwLocator.SharedPairs;
        var folds = BenchArguments.Int(args, "--folds", 2);
        var sides = (BenchArguments.Value(args, "--sides") ?? "12,16,20,24,28,32,40,56").Split(',')
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var pairs = LfwPairs.Load(pairsPath).Pairs.Where(p => p.Fold < folds).ToList();
        var wanted = pairs.SelectMany(p => new[] { p.FirstKey, p.SecondKey }).ToHashSet(StringComparer.Ordinal);
        var photos = PhotoSource.Enumerate(lfw).Select(p => (Key: LfwPairs.KeyOfPath(p.RelativePath), p.Bytes))
            .Where(p => wanted.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Bytes, StringComparer.Ordinal);

        using var pipeline = PipelineFactory.Create("mtcnn-facenet");
        var threshold = VerificationThresholds.SamePersonDistance(pipeline.ModelId)
            ?? throw new InvalidOperationException($"models/verification.json has no threshold for {pipeline.ModelId}");
        var clock = Stopwatch.StartNew();
        var full = photos.AsParallel().WithDegreeOfParallelism(Environment.ProcessorCount)
            .Select(p => (p.Key, Face: Subject(pipeline, ImageDecoder.Decode(p.Value))))
            .ToDictionary(p => p.Key, p => p.Face, StringComparer.Ordinal);
        Console.WriteLine($"{pairs.Count} pairs of folds 1-{folds}, {photos.Count} photos, pair threshold d < {threshold:0.000}, " +
                          $"model {pipeline.ModelId}; full-size pass {clock.Elapsed.TotalSeconds:0} s");

        var scores = full.Values.Where(f => f is not null).Select(f => (double)f!.Face.Score).ToList();
        Console.WriteLine($"subject scores at full size ({scores.Count} faces): p0.5 {Percentiles.Of(scores, 0.5):0.0000}, " +
                          $"p1 {Percentiles.Of(scores, 1):0.0000}, p5 {Percentiles.Of(scores, 5):0.0000}, median {Percentiles.Of(scores, 50):0.0000}; " +
                          $"under {FaceQuality.MinimumScore}: {scores.Count(s => s < FaceQuality.MinimumScore)}");
        Report("full", pairs, full, full, threshold);

        foreach (var side in sides)
        {
            var shrunk = photos.AsParallel().WithDegreeOfParallelism(Environment.ProcessorCount)
                .Select(p => (p.Key, Face: full[p.Key] is { } f ? Subject(pipeline, Shrink(p.Value, side / Side(f.Face))) : null))
                .ToDictionary(p => p.Key, p => p.Face, StringComparer.Ordinal);
            Report($"{side} px", pairs, full, shrunk, threshold);
        }

        return 0;
    }

    private static void Report(string name, List<LfwPair> pairs, Dictionary<string, EmbeddedFace?> first,
        Dictionary<string, EmbeddedFace?> second, float threshold)
    {
        var found = pairs.Where(p => first[p.FirstKey] is not null && second[p.SecondKey] is not null).ToList();
        var same = found.Where(p => p.Same).ToList();
        var different = found.Where(p => !p.Same).ToList();
        bool Accepted(LfwPair p) => VectorMath.Distance(first[p.FirstKey]!.Embedding, second[p.SecondKey]!.Embedding) < threshold;
        var sides = found.Select(p => (double)Side(second[p.SecondKey]!.Face)).ToList();
        var secondScores = found.Select(p => (double)second[p.SecondKey]!.Face.Score).ToList();
        Console.WriteLine($"{name,6}: shrunk face found in {100.0 * found.Count / pairs.Count:0.0}% of pairs; " +
                          $"TAR {100.0 * same.Count(Accepted) / Math.Max(1, same.Count):0.00}% of {same.Count}, " +
                          $"FAR {100.0 * different.Count(Accepted) / Math.Max(1, different.Count):0.00}% of {different.Count}; " +
                          $"detected side median {Percentiles.Of(sides, 50):0.0} px, score p5 {Percentiles.Of(secondScores, 5):0.0000}");
    }

    /// <summary>LFW's subject among the detected faces, or null when none was found near the centre.</summary>
    private static EmbeddedFace? Subject(IEmbeddingPipeline pipeline, DecodedPhoto photo) =>
        LfwSubjects.Of(pipeline.Embed(photo), f => f.Face.Box, photo.OriginalWidth, photo.OriginalHeight);

    private static float Side(DetectedFace face) => FaceQuality.Side(face.Box);

    /// <summary>The photo shrunk by <paramref name="scale"/> (never enlarged), re-encoded losslessly.</summary>
    private static DecodedPhoto Shrink(byte[] bytes, float scale)
    {
        using var original = SKBitmap.Decode(bytes);
        var width = Math.Max(1, (int)Math.Round(original.Width * Math.Min(1f, scale)));
        var height = Math.Max(1, (int)Math.Round(original.Height * Math.Min(1f, scale)));
        using var small = original.Resize(new SKImageInfo(width, height), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        using var data = small.Encode(SKEncodedImageFormat.Png, 100);
        return ImageDecoder.Decode(data.ToArray());
    }
}
