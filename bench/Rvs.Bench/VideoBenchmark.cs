using System.Diagnostics;
using System.Globalization;
using Rvs.Catalog;
using Rvs.Evaluation;
using Rvs.Imaging.Video;
using Rvs.Pipelines;
using Rvs.Sources;
using Rvs.Testing;

namespace Rvs.Bench;

/// <summary>
/// What indexing a video costs. Makes (at bench time, from the first photo of the first --people LFW folders) a
/// 1280×720 H.264 video showing each person for --seconds, then in one run: ffmpeg's frame sampling alone (once a
/// second plus scene changes, as rvs samples), the video indexed, and as the baseline the same sampled frames
/// indexed as BMP photos (what ffmpeg hands over). Summary line: "&lt;x&gt; s of video/s".
/// </summary>
internal static class VideoBenchmark
{
    public static int Run(string[] args)
    {
        if (VideoMaker.WhyUnavailable is { } why)
        {
            Console.Error.WriteLine($"video: {why}");
            return 1;
        }

        var people = BenchArguments.Int(args, "--people", 20);
        var seconds = BenchArguments.Int(args, "--seconds", 3);
        var root = Directory.CreateTempSubdirectory("rvs-video-bench-").FullName;
        try
        {
            var stills = Path.Combine(root, "stills");
            var videos = Path.Combine(root, "videos");
            var frames = Path.Combine(root, "frames");
            Directory.CreateDirectory(stills);
            Directory.CreateDirectory(videos);
            Directory.CreateDirectory(frames);
            var shots = new List<(string, double)>();
            foreach (var photo in PhotoSource.Enumerate(BenchArguments.Lfw(args)).DistinctBy(p => p.FolderName).Take(people))
            {
                var file = Path.Combine(stills, $"{shots.Count:D3}.jpg");
                File.WriteAllBytes(file, photo.Bytes);
                shots.Add((file, seconds));
            }

            var video = Path.Combine(videos, "people.mp4");
            VideoMaker.Make(video, shots, 1280, 720);
            var duration = (double)shots.Count * seconds;

            var clock = Stopwatch.StartNew();
            var sampled = 0;
            foreach (var frame in VideoFrames.Read(video, VideoFrames.DefaultFfmpeg))
            {
                File.WriteAllBytes(Path.Combine(frames, $"{sampled++:D5}.bmp"), frame.Bmp);
            }

            var sampling = clock.Elapsed.TotalSeconds;
            using var pipeline = PipelineFactory.Create(PipelineNames.MtcnnFaceNet);
            var (videoTime, videoFaces) = Index(videos, pipeline, Path.Combine(root, "video-collection"));
            var (framesTime, framesFaces) = Index(frames, pipeline, Path.Combine(root, "frames-collection"));

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                {shots.Count} people × {seconds} s = {duration:0} s of 1280×720 H.264; {sampled} frames sampled; {Environment.ProcessorCount} cores
                | what | seconds | s of video/s | faces stored |
                |---|---|---|---|
                | ffmpeg sampling alone (decode, scene score, BMP out) | {sampling:0.0} | {duration / sampling:0.0} | |
                | the video indexed (one catalog entry, one face per appearance) | {videoTime:0.0} | {duration / videoTime:0.00} | {videoFaces} |
                | baseline: the same {sampled} frames indexed as photos | {framesTime:0.0} | {duration / framesTime:0.00} | {framesFaces} |
                video / baseline time: {videoTime / framesTime:0.00}
                {duration / videoTime:0.00} s of video/s
                """));
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static (double Seconds, int Faces) Index(string folder, IEmbeddingPipeline pipeline, string directory)
    {
        using var collection = FaceCollection.OpenOrCreate(directory, PipelineIdentity.Of(pipeline));
        var summary = new CollectionIndexer(collection).Run(folder, pipeline, new IndexingOptions
        {
            SamePersonDistance = VerificationThresholds.SamePersonDistance(pipeline.ModelId),
        });
        if (summary.Failures.Count > 0)
        {
            throw new InvalidOperationException($"{summary.Failures[0].Path}: {summary.Failures[0].Reason}");
        }

        return (summary.Elapsed.TotalSeconds, summary.Faces);
    }
}
