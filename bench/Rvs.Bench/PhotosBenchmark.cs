using System.Diagnostics;
using System.Drawing;
using System.Globalization;
using System.Numerics.Tensors;
using Rvs.Detection;
using Rvs.Imaging;
using Rvs.Pipelines;
using Rvs.Sources;

namespace Rvs.Bench;

/// <summary>
/// Phone-size photos: 12 MP scenes made from LFW (<see cref="PhotoScenes"/>) indexed the way `rvs index` does it
/// (ImageDecoder.Decode, then mtcnn-facenet's Embed, photos in parallel with one ONNX Runtime thread each), against
/// LFW photos through the same pipeline in the same run. Reports photos/s, faces found by size, false faces, rank-1
/// identification of found faces against a gallery of LFW photos, and time per pipeline stage.
/// </summary>
internal static class PhotosBenchmark
{
    private const float MatchOverlap = 0.4f;

    public static int Run(string[] args)
    {
        var lfw = BenchArguments.Lfw(args);
        var sceneCount = BenchArguments.Int(args, "--photos", 40);
        var people = BenchArguments.Int(args, "--people", 200);
        var seed = BenchArguments.Int(args, "--seed", 12);
        var sides = (BenchArguments.Value(args, "--sides") ?? ImageDecoder.DefaultMaxSide.ToString(CultureInfo.InvariantCulture))
            .Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
        var cores = Environment.ProcessorCount;

        var byPerson = PhotoSource.Enumerate(lfw).Where(p => p.FolderName is not null)
            .GroupBy(p => p.FolderName!).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var gallery = byPerson.Where(g => g.Count() >= 2).Take(people)
            .Concat(byPerson.Where(g => g.Count() == 1).Take(people))
            .SelectMany(g => g).ToList();

        using var pipeline = PipelineFactory.Create(PipelineNames.MtcnnFaceNet, 1);
        Index(pipeline, gallery.Take(20).Select(p => p.Bytes).ToList(), cores, ImageDecoder.DefaultMaxSide); // warm-up
        var lfwCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var lfwFaces = Index(pipeline, gallery.Select(p => p.Bytes).ToList(), cores, ImageDecoder.DefaultMaxSide);
        var lfwRate = gallery.Count / clock.Elapsed.TotalSeconds;
        lfwCpu = Process.GetCurrentProcess().TotalProcessorTime - lfwCpu;

        // The gallery: each LFW photo's central (labelled) face; photos whose face was found can also be pasted.
        var entries = gallery.Zip(lfwFaces)
            .Select(pair => (Photo: pair.First, Face: Central(pair.Second, 250)))
            .Where(e => e.Face is not null)
            .Select(e => (e.Photo.RelativePath, Person: e.Photo.FolderName!, e.Photo.Bytes, e.Face!))
            .ToList();
        var repeatedPeople = gallery.GroupBy(p => p.FolderName!).Where(g => g.Count() >= 2).Select(g => g.Key).ToHashSet();
        var sources = entries.Where(e => repeatedPeople.Contains(e.Person))
            .Select(e => new FaceSource(e.RelativePath, e.Person, e.Bytes, e.Item4.Face.Box)).ToList();

        var random = new Random(seed);
        var backgrounds = gallery.Select(p => p.Bytes).ToList();
        var scenes = Enumerable.Range(0, sceneCount).Select(_ => PhotoScenes.Make(random, sources, backgrounds)).ToList();

        Console.WriteLine($"photos: {scenes.Count} scenes {PhotoScenes.Width}x{PhotoScenes.Height} (seed {seed}), {scenes.Sum(s => s.Faces.Count)} pasted faces, " +
                          $"{cores} cores, {DateTime.UtcNow:yyyy-MM-dd}; gallery: {entries.Count} LFW photos with a face " +
                          $"({repeatedPeople.Count} people with 2+ photos, whose faces are pasted, and {people} one-photo distractors)");
        Console.WriteLine($"LFW through the same pipeline: {gallery.Count} photos, {lfwRate:0.0} photos/s, {lfwCpu.TotalMilliseconds / gallery.Count:0.0} ms of process CPU time per photo");
        Console.WriteLine();
        Console.WriteLine($"| detection long side | photos/s | ×LFW | {string.Join(" | ", PhotoScenes.Buckets.Select(BucketName))} | ≥90 px found | false faces | rank-1 of found |");
        Console.WriteLine($"|---|---|---|{string.Concat(PhotoScenes.Buckets.Select(_ => "---|"))}---|---|---|");

        var stageRows = new List<string>();
        double? summary = null;
        var configurations = new List<(string Label, int Side, IEmbeddingPipeline Pipeline)>();
        using var before = PipelineFactory.Create(PipelineNames.MtcnnFaceNet, 1, resolution: new FaceResolution { AlignmentFaceSide = 0 });
        configurations.Add(("2048, aligned from the detection decode (before)", 2048, before));
        configurations.AddRange(sides.Select(side => (side.ToString(CultureInfo.InvariantCulture), side, pipeline)));
        var variants = Numbers(args, "--align-sides").Select(a => ($"faces under {a} px aligned from a finer decode", new FaceResolution { AlignmentFaceSide = (int)a }, new MtcnnOptions()))
            .Concat(Numbers(args, "--min-faces").Select(m => ($"smallest face {m} px", new FaceResolution { MinFaceSize = (int)m }, new MtcnnOptions())))
            .Concat(Numbers(args, "--factors").Select(f => ($"pyramid factor {f}", new FaceResolution(), new MtcnnOptions { ScaleFactor = f })))
            .ToList();
        var extra = variants.Select(v => PipelineFactory.Create(PipelineNames.MtcnnFaceNet, 1, v.Item3, resolution: v.Item2)).ToList();
        configurations.AddRange(variants.Zip(extra).Select(p => ($"{ImageDecoder.DefaultMaxSide}, {p.First.Item1}", ImageDecoder.DefaultMaxSide, p.Second)));
        var galleryVectors = entries.Select(e => (e.Person, e.RelativePath, e.Item4.Embedding)).ToList();
        foreach (var (label, side, configured) in configurations)
        {
            Index(configured, scenes.Take(2).Select(s => s.Jpeg).ToList(), cores, side); // warm-up
            var timings = new StageTimings();
            StageTimings.Current = timings;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            clock.Restart();
            var found = Index(configured, scenes.Select(s => s.Jpeg).ToList(), cores, side);
            var seconds = clock.Elapsed.TotalSeconds;
            cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            StageTimings.Current = null;
            var rate = scenes.Count / seconds;
            if (side == ImageDecoder.DefaultMaxSide && configured == pipeline)
            {
                summary = rate;
            }

            var misses = new List<string>();
            var score = Score(scenes, found, galleryVectors, misses);
            misses.ForEach(m => Console.Error.WriteLine($"  {label}: missed {m}"));
            var buckets = string.Join(" | ", score.Found.Zip(score.Pasted).Select(b => $"{b.First}/{b.Second}"));
            Console.WriteLine($"| {label} | {rate:0.0} | {rate / lfwRate:0.00} | {buckets} | {Percent(score.Found.Skip(1).Sum(), score.Pasted.Skip(1).Sum())} | " +
                              $"{score.FalseFaces} | {score.Identified}/{score.Found.Sum()} ({Percent(score.Identified, score.Found.Sum())}) |");
            stageRows.Add(StageRow(label, timings, cpu, scenes.Count));
        }

        Console.WriteLine();
        var stages = Enum.GetValues<PipelineStage>();
        Console.WriteLine($"ms per photo ({(StageTimings.InCpuTime ? "thread CPU time" : "elapsed thread time")}, summed over workers; process = the whole process's CPU time):");
        Console.WriteLine($"| detection long side | {string.Join(" | ", stages)} | sum | process |");
        Console.WriteLine($"|---|{string.Concat(stages.Select(_ => "---|"))}---|---|");
        stageRows.ForEach(Console.WriteLine);
        Console.WriteLine();
        Console.WriteLine(summary is { } s ? $"{s:0.0} photos/s" : $"(no run at the default detection side {ImageDecoder.DefaultMaxSide})");
        extra.ForEach(p => p.Dispose());
        return 0;
    }

    /// <summary>The comma-separated numbers of option <paramref name="name"/>, none when it is absent.</summary>
    private static List<float> Numbers(string[] args, string name) =>
        (BenchArguments.Value(args, name) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToList();

    /// <summary>Decodes (timed apart) and embeds every photo, in order, on <paramref name="workers"/> threads.</summary>
    private static List<IReadOnlyList<EmbeddedFace>> Index(IEmbeddingPipeline pipeline, List<byte[]> photos, int workers, int side) =>
        photos.AsParallel().AsOrdered().WithDegreeOfParallelism(workers)
            .Select(bytes =>
            {
                var start = StageTimings.Start();
                var photo = ImageDecoder.Decode(bytes, side);
                StageTimings.Stop(PipelineStage.Decode, start);
                return pipeline.Embed(photo);
            })
            .ToList();

    private static EmbeddedFace? Central(IReadOnlyList<EmbeddedFace> faces, float size) =>
        faces.MinBy(f => MathF.Abs(f.Face.Center.X - size / 2) + MathF.Abs(f.Face.Center.Y - size / 2));

    private sealed record SceneScore(int[] Pasted, int[] Found, int FalseFaces, int Identified);

    private static SceneScore Score(List<PhotoScene> scenes, List<IReadOnlyList<EmbeddedFace>> found, List<(string Person, string Path, Rvs.Embedding.FaceEmbedding Vector)> gallery, List<string>? misses = null)
    {
        var pasted = new int[PhotoScenes.Buckets.Length];
        var hits = new int[PhotoScenes.Buckets.Length];
        int falseFaces = 0, identified = 0;
        foreach (var (scene, faces) in scenes.Zip(found))
        {
            var unused = faces.ToList();
            foreach (var truth in scene.Faces)
            {
                var bucket = Bucket(truth.Box.Width);
                pasted[bucket]++;
                var match = unused.MaxBy(f => Overlap(f.Face.Box, truth.Box));
                if (match is null || Overlap(match.Face.Box, truth.Box) < MatchOverlap)
                {
                    misses?.Add($"{truth.SourcePath} at {truth.Box} (best overlap {(match is null ? 0 : Overlap(match.Face.Box, truth.Box)):0.00})");
                    continue;
                }

                unused.Remove(match);
                hits[bucket]++;
                var nearest = gallery.Where(g => g.Path != truth.SourcePath)
                    .MaxBy(g => TensorPrimitives.Dot(g.Vector, match.Embedding));
                identified += nearest.Person == truth.Person ? 1 : 0;
            }

            falseFaces += unused.Count;
        }

        return new SceneScore(pasted, hits, falseFaces, identified);
    }

    private static int Bucket(float side) => Math.Max(0, Array.FindLastIndex(PhotoScenes.Buckets, low => side >= low));

    private static float Overlap(RectangleF a, RectangleF b)
    {
        var i = RectangleF.Intersect(a, b);
        var inter = i.Width * i.Height;
        return inter <= 0 ? 0 : inter / (a.Width * a.Height + b.Width * b.Height - inter);
    }

    private static string BucketName(int low, int i) =>
        i + 1 < PhotoScenes.Buckets.Length ? $"{low}-{PhotoScenes.Buckets[i + 1]} px" : $"{low}-{PhotoScenes.MaxFace} px";

    private static string Percent(int part, int whole) => whole == 0 ? "-" : $"{100.0 * part / whole:0.0}%";

    /// <summary>Each stage's time per photo, their sum, and the process's CPU time per photo (GC and all).</summary>
    private static string StageRow(string label, StageTimings timings, TimeSpan cpu, int photos)
    {
        var stages = Enum.GetValues<PipelineStage>().Select(stage => timings[stage].TotalMilliseconds / photos).ToList();
        return $"| {label} | {string.Join(" | ", stages.Select(ms => $"{ms:0.0}"))} | {stages.Sum():0.0} | {cpu.TotalMilliseconds / photos:0.0} |";
    }
}
