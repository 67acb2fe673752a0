using System.Collections.Concurrent;
using System.Drawing;
using System.Formats.Tar;
using System.IO.Compression;
using Rvs.Detection;
using Rvs.Embedding;
using Rvs.Evaluation;
using Rvs.Imaging;
using Rvs.Pipelines;
using SkiaSharp;

namespace Rvs.Tests.Evaluation;

public sealed class LfwEvaluationTests : IDisposable
{
    private static readonly float[] Decoy = [0, 0, 0, 1];
    private static readonly float[] Fallback = [0, 0, 1, 0];

    private readonly string _root = Path.Combine(Path.GetTempPath(), "rvs-lfw-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>
    /// Sees a "face" in any photo that is not black: a large bystander in the corner (listed first, as pipelines
    /// list the largest face first) and the centred person, whose embedding is the photo's colour (red or green).
    /// A black photo has no face.
    /// </summary>
    private sealed class FakePipeline : IEmbeddingPipeline
    {
        public ConcurrentBag<RectangleF> RegionBoxes { get; } = [];

        public int EmbedCalls;

        public string Name => "fake";

        public string ModelId => "fake-model-1";

        public int Dimensions => 4;

        public IReadOnlyList<EmbeddedFace> Embed(DecodedPhoto photo)
        {
            Interlocked.Increment(ref EmbedCalls);
            var p = photo.Image.Pixels;
            var centre = (photo.Image.Height / 2 * photo.Image.Width + photo.Image.Width / 2) * 3;
            if (p[centre] + p[centre + 1] + p[centre + 2] < 60)
            {
                return [];
            }

            float[] colour = p[centre] > p[centre + 1] ? [1, 0, 0, 0] : [0, 1, 0, 0];
            return
            [
                new EmbeddedFace(new DetectedFace(new RectangleF(0, 0, 120, 120), 0.99f, []), FaceEmbedding.Of(Decoy, 4)),
                new EmbeddedFace(new DetectedFace(new RectangleF(100, 95, 50, 60), 0.9f, []), FaceEmbedding.Of(colour, 4)),
            ];
        }

        public FaceEmbedding EmbedRegion(DecodedPhoto photo, RectangleF box)
        {
            RegionBoxes.Add(box);
            return FaceEmbedding.Of(Fallback, 4);
        }

        public void Dispose() { }
    }

    private static byte[] Jpeg(SKColor color)
    {
        using var bitmap = new SKBitmap(250, 250);
        bitmap.Erase(color);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 95);
        return data.ToArray();
    }

    /// <summary>Red has two photos, Green two, Black one (in which nothing is detected).</summary>
    private string MakeLfwFolder()
    {
        var folder = Path.Combine(_root, "lfw");
        foreach (var (name, color, count) in new[] { ("Red", SKColors.Red, 2), ("Green", SKColors.Lime, 2), ("Black", SKColors.Black, 1) })
        {
            Directory.CreateDirectory(Path.Combine(folder, name));
            for (var i = 1; i <= count; i++)
            {
                File.WriteAllBytes(Path.Combine(folder, name, $"{name}_{i:D4}.jpg"), Jpeg(color));
            }
        }

        return folder;
    }

    private string MakePairs()
    {
        var path = Path.Combine(_root, "pairs.txt");
        File.WriteAllText(path, "2\t1\nRed\t1\t2\nRed\t1\tGreen\t1\nGreen\t1\t2\nGreen\t2\tBlack\t1\n");
        return path;
    }

    [Fact]
    public void the_face_nearest_the_photo_centre_is_embedded_not_the_largest()
    {
        var pipeline = new FakePipeline();
        var photo = ImageDecoder.Decode(Jpeg(SKColors.Red));

        var (embedding, failed) = LfwEvaluation.EmbedOne(pipeline, photo);

        Assert.Equal(new float[] { 1, 0, 0, 0 }, embedding);
        Assert.False(failed);
    }

    [Fact]
    public void a_photo_without_a_face_gets_the_central_crop_and_counts_as_a_detection_failure()
    {
        var pipeline = new FakePipeline();
        var photo = ImageDecoder.Decode(Jpeg(SKColors.Black));

        var (embedding, failed) = LfwEvaluation.EmbedOne(pipeline, photo);

        Assert.True(failed);
        Assert.Equal(Fallback, embedding);
        Assert.Equal(new RectangleF(62.5f, 62.5f, 125, 125), Assert.Single(pipeline.RegionBoxes));
    }

    [Fact]
    public void a_folder_of_synthetic_photos_is_embedded_once_each_and_scored()
    {
        var pipeline = new FakePipeline();
        var progress = new ConcurrentBag<(int done, int total)>();
        var options = new LfwEvaluationOptions { Source = MakeLfwFolder(), PairsPath = MakePairs() };

        var result = LfwEvaluation.Evaluate(pipeline, options, new SynchronousProgress(progress));

        Assert.Equal("fake", result.Pipeline);
        Assert.Equal(5, result.Images);
        Assert.Equal(1, result.DetectionFailures);
        Assert.Equal(5, pipeline.EmbedCalls);
        Assert.Equal(1.0, result.Rank1, 12);
        Assert.Equal(1.0, result.Precision20, 12);
        Assert.Equal(1.0, result.Map20, 12);
        Assert.Equal(1.0, result.VerificationAccuracy, 12);
        Assert.Equal(0.0, result.VerificationStd, 12);
        Assert.True(result.ImagesPerSecond > 0);
        Assert.Contains((5, 5), progress);
    }

    [Fact]
    public void an_archive_gives_the_same_figures_and_a_second_run_comes_from_the_cache()
    {
        var folder = MakeLfwFolder();
        var archive = Path.Combine(_root, "lfw.tgz");
        using (var file = File.Create(archive))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        {
            TarFile.CreateFromDirectory(folder, gzip, includeBaseDirectory: true);
        }

        var cache = new EmbeddingCache(Path.Combine(_root, "cache"));
        var pairs = MakePairs();
        var fromFolder = LfwEvaluation.Evaluate(new FakePipeline(), new LfwEvaluationOptions { Source = folder, PairsPath = pairs });

        var first = new FakePipeline();
        var fromArchive = LfwEvaluation.Evaluate(first, new LfwEvaluationOptions { Source = archive, PairsPath = pairs, Cache = cache });
        var second = new FakePipeline();
        var fromCache = LfwEvaluation.Evaluate(second, new LfwEvaluationOptions { Source = archive, PairsPath = pairs, Cache = cache });

        Assert.Equal(5, first.EmbedCalls);
        Assert.Equal(0, second.EmbedCalls);
        Assert.Equal(fromArchive with { OpenSet = null }, fromCache with { OpenSet = null });
        Assert.Equal(fromFolder with { ImagesPerSecond = 0, Seconds = 0, OpenSet = null }, fromArchive with { ImagesPerSecond = 0, Seconds = 0, OpenSet = null });

        // The open-set figures hold lists, which records compare by reference: compare what results.json would say.
        Assert.NotNull(fromArchive.OpenSet);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(fromArchive.OpenSet), System.Text.Json.JsonSerializer.Serialize(fromCache.OpenSet));
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(fromFolder.OpenSet), System.Text.Json.JsonSerializer.Serialize(fromArchive.OpenSet));
    }

    [Fact]
    public void the_central_crop_is_the_middle_half_of_each_side()
    {
        Assert.Equal(new RectangleF(62.5f, 62.5f, 125, 125), LfwEvaluation.CentralCrop(250, 250));
        Assert.Equal(new RectangleF(100, 50, 200, 100), LfwEvaluation.CentralCrop(400, 200));
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; the test wants every report before Evaluate returns.</summary>
    private sealed class SynchronousProgress(ConcurrentBag<(int done, int total)> reports) : IProgress<(int done, int total)>
    {
        public void Report((int done, int total) value) => reports.Add(value);
    }
}
