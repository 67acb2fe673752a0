using System.Drawing;
using Rvs.Catalog;
using Rvs.Evaluation;
using Rvs.Imaging;
using Rvs.Pipelines;
using Rvs.Testing;
using Rvs.Tests.Support;

namespace Rvs.Tests.Video;

/// <summary>
/// Videos made at test time from LFW photos: Tony Blair on screen for 3.5 s, then Colin Powell for 3 s, indexed
/// beside two photos of other people with the real mtcnn-facenet pipeline.
/// </summary>
public sealed class VideoIndexingTests : IDisposable
{
    // When Colin Powell first appears; frames are sampled once a second plus at scene changes, so he is seen at the
    // cut itself or at worst one sampling step (1 s) later.
    public const double PowellAppears = 3.5;

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"rvs-video-tests-{Guid.NewGuid():N}");

    public VideoIndexingTests() => Directory.CreateDirectory(Photos);

    private string Photos => Path.Combine(_root, "photos");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static (string, double)[] Shots => [(TestData.LfwPhoto("Tony_Blair", 1), PowellAppears), (TestData.LfwPhoto("Colin_Powell", 1), 3.0)];

    /// <summary>The test folder: the video and two photos of people who are not in it.</summary>
    public static void MakeFolder(string folder, string videoName = "clip.mp4")
    {
        VideoMaker.Make(Path.Combine(folder, videoName), Shots);
        File.Copy(TestData.LfwPhoto("George_W_Bush", 1), Path.Combine(folder, "bush.jpg"));
        File.Copy(TestData.LfwPhoto("Donald_Rumsfeld", 1), Path.Combine(folder, "rumsfeld.jpg"));
    }

    private FaceCollection Open() => FaceCollection.OpenOrCreate(Path.Combine(_root, "collection"),
        PipelineIdentity.Of(SharedPipelines.FaceNet), new CollectionOptions());

    private static IndexingOptions Options => new()
    {
        Workers = 2,
        SamePersonDistance = VerificationThresholds.SamePersonDistance(SharedPipelines.FaceNet.ModelId),
    };

    private static SearchHit Nearest(FaceCollection collection, string person, int number)
    {
        var query = SharedPipelines.FaceNet.Embed(ImageDecoder.DecodeFile(TestData.LfwPhoto(person, number)));
        return collection.Search(query.OrderByDescending(f => f.Face.Box.Width * f.Face.Box.Height).First().Embedding, 1).Single();
    }

    [FfmpegFact]
    public void a_video_is_one_entry_with_one_face_per_person_and_the_time_each_first_appears()
    {
        MakeFolder(Photos);
        using var collection = Open();

        var summary = new CollectionIndexer(collection).Run(Photos, SharedPipelines.FaceNet, Options);

        Assert.Equal((3, 0, 0), (summary.Indexed, summary.NoFace, summary.Unreadable));
        var video = collection.FindImage(Path.Combine(Photos, "clip.mp4"));
        Assert.NotNull(video);
        Assert.True(video.IsVideo);
        Assert.Equal((250, 250), (video.Width, video.Height));
        // Six seconds of two people: one face each, not one per sampled frame.
        Assert.Equal(2, video.FaceCount);

        var powell = Nearest(collection, "Colin_Powell", 2);
        Assert.Equal(video.ImageId, powell.ImageId);
        Assert.NotNull(powell.TimeSeconds);
        Assert.InRange(powell.TimeSeconds.Value, PowellAppears - 0.05, PowellAppears + 1.0);

        var blair = Nearest(collection, "Tony_Blair", 2);
        Assert.Equal(video.ImageId, blair.ImageId);
        Assert.Equal(0.0, blair.TimeSeconds);

        var bush = Nearest(collection, "George_W_Bush", 2);
        Assert.EndsWith("/bush.jpg", bush.Path, StringComparison.Ordinal);
        Assert.Null(bush.TimeSeconds);

        // Unchanged, the video is skipped on the next run like a photo.
        Assert.Equal(3, new CollectionIndexer(collection).Run(Photos, SharedPipelines.FaceNet, Options).Skipped);
    }

    [FfmpegFact]
    public void without_ffmpeg_each_video_is_reported_naming_the_package_and_the_photos_still_index()
    {
        MakeFolder(Photos);
        using var collection = Open();
        var missing = Options with { Ffmpeg = Path.Combine(_root, "no-such-ffmpeg") };

        var summary = new CollectionIndexer(collection).Run(Photos, SharedPipelines.FaceNet, missing);

        Assert.Equal((2, 1), (summary.Indexed, summary.Unreadable));
        var failure = Assert.Single(summary.Failures);
        Assert.EndsWith("/clip.mp4", failure.Path, StringComparison.Ordinal);
        Assert.Contains("apt-get install ffmpeg", failure.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', failure.Reason);

        // Once ffmpeg is there, the next run reads the video instead of skipping it as unchanged.
        var again = new CollectionIndexer(collection).Run(Photos, SharedPipelines.FaceNet, Options);
        Assert.Equal((1, 2), (again.Indexed, again.Skipped));
        Assert.Equal(2, collection.FindImage(Path.Combine(Photos, "clip.mp4"))!.FaceCount);
    }

    [FfmpegFact]
    public void a_video_cancelled_part_way_is_not_written_and_the_next_run_reads_it_whole()
    {
        VideoMaker.Make(Path.Combine(Photos, "clip.mp4"), Shots);
        using var collection = Open();
        using var cancel = new CancellationTokenSource();
        // Cancelled while its first frame is embedded: the rest of the video is never read.
        var stopping = new StopAfterFirstFrame(SharedPipelines.FaceNet, cancel);

        var stopped = new CollectionIndexer(collection).Run(Photos, stopping, Options, cancellationToken: cancel.Token);

        Assert.True(stopped.Cancelled);
        Assert.Equal(0, stopped.Seen);
        Assert.Null(collection.FindImage(Path.Combine(Photos, "clip.mp4")));
        Assert.Equal(1, stopping.Frames);
        var again = new CollectionIndexer(collection).Run(Photos, SharedPipelines.FaceNet, Options);
        Assert.Equal((1, 2), (again.Indexed, collection.FindImage(Path.Combine(Photos, "clip.mp4"))!.FaceCount));
    }

    private sealed class StopAfterFirstFrame(IEmbeddingPipeline inner, CancellationTokenSource cancel) : IEmbeddingPipeline
    {
        public int Frames { get; private set; }

        public string Name => inner.Name;

        public string ModelId => inner.ModelId;

        public int Dimensions => inner.Dimensions;

        public IReadOnlyList<EmbeddedFace> Embed(DecodedPhoto photo)
        {
            Frames++;
            cancel.Cancel();
            return inner.Embed(photo);
        }

        public Rvs.Embedding.FaceEmbedding EmbedRegion(DecodedPhoto photo, RectangleF box) => inner.EmbedRegion(photo, box);

        public void Dispose()
        {
        }
    }
}
