using System.Globalization;
using Rvs.Imaging;
using Rvs.Imaging.Video;
using Rvs.Pipelines;
using Rvs.Sources;

namespace Rvs.Catalog;

/// <summary>Videos: one catalog entry per video, holding one face per appearance of a person (see <see cref="VideoAppearances"/>).</summary>
public sealed partial class CollectionIndexer
{
    // A video whose ffmpeg was missing is stored with this instead of its hash, so the next run, once ffmpeg is
    // installed, reads it rather than skipping it as unchanged.
    private const string NotRead = "";

    /// <summary>The video's entry, or null when <paramref name="cancellationToken"/> stopped it part-way.</summary>
    private static ProcessedPhoto? ProcessVideo(
        SourcePhoto video,
        string root,
        Dictionary<string, string> known,
        IEmbeddingPipeline pipeline,
        IndexingOptions options,
        CancellationToken cancellationToken)
    {
        var path = StoredPath(root, fromArchive: false, video.RelativePath);
        var label = options.LabelFromFolder ? video.FolderName : null;

        ProcessedPhoto Result(string hash, ImageStatus status, string? error, int? width = null, int? height = null, IReadOnlyList<ProcessedFace>? faces = null) =>
            new(path, root, video.RelativePath, FromArchive: false, hash, video.VideoSize, status, error, label, width, height,
                faces ?? [], PhotoBytes: null, IsVideo: true);

        string hash;
        try
        {
            using var file = File.OpenRead(video.VideoFile!);
            hash = FaceCollection.ContentHash(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Result(NotRead, ImageStatus.Unreadable, $"could not be read: {e.Message}");
        }

        if (known.TryGetValue(path, out var knownHash) && knownHash == hash)
        {
            return Result(hash, ImageStatus.Indexed, null) with { Skipped = true };
        }

        if (options.SamePersonDistance is not { } samePerson)
        {
            return Result(hash, ImageStatus.Unreadable,
                "videos need the same-person distance measured for these models (models/verification.json) to follow a face from frame to frame");
        }

        var appearances = new VideoAppearances(samePerson);
        var frameOptions = options with { StoreArchivePhotos = false };
        int? width = null, height = null;
        try
        {
            foreach (var frame in VideoFrames.Read(video.VideoFile!, options.Ffmpeg))
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return null;
                }

                // Each frame goes through the photo path unchanged: decode, detect, align, embed, thumbnails.
                var name = string.Create(CultureInfo.InvariantCulture, $"{video.RelativePath}@{frame.TimeSeconds:0.###}s.bmp");
                var processed = Process(new SourcePhoto(name, frame.Bmp), root, fromArchive: true, [], pipeline, frameOptions);
                if (processed.Status == ImageStatus.Unreadable)
                {
                    return Result(hash, ImageStatus.Unreadable, string.Create(CultureInfo.InvariantCulture, $"its frame at {frame.TimeSeconds:0.###} s could not be read: {processed.Error}"));
                }

                width ??= processed.Width;
                height ??= processed.Height;
                appearances.Add(frame.TimeSeconds, processed.Faces);
            }
        }
        catch (FfmpegMissingException e)
        {
            return Result(NotRead, ImageStatus.Unreadable, e.Message);
        }
        catch (ImageDecodeException e)
        {
            return Result(hash, ImageStatus.Unreadable, e.Message);
        }

        var faces = appearances.Faces();
        return faces.Count == 0
            ? Result(hash, ImageStatus.NoFace, null, width, height)
            : Result(hash, ImageStatus.Indexed, null, width, height, faces);
    }
}
