using Rvs.Detection;
using Rvs.Imaging.Video;
using Rvs.Sources;

namespace Rvs.Catalog;

/// <summary>Choices for one indexing run.</summary>
public sealed record IndexingOptions
{
    /// <summary>Label each photo with the name of the folder holding it (LFW keeps one person per folder).</summary>
    public bool LabelFromFolder { get; init; }

    /// <summary>Decode-and-embed workers; defaults to the processor count.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>Photos per write transaction; a batch is also written once it is a second old.</summary>
    public int BatchSize { get; init; } = 64;

    public TimeSpan BatchInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Side of the square JPEG thumbnail kept for each face; 0 keeps none.</summary>
    public int ThumbnailSize { get; init; } = FaceThumbnail.DefaultSize;

    /// <summary>
    /// The distance under which two faces are the same person (the 1:1 pair threshold measured for the collection's
    /// models): a group photo's label goes to its face within it of the label's other faces. Null: the nearest face.
    /// </summary>
    public float? SamePersonDistance { get; init; }

    /// <summary>Keep the bytes of photos read from archives, so they can be shown once the archive is gone.</summary>
    public bool StoreArchivePhotos { get; init; } = true;

    /// <summary>A photo file larger than this is reported as unreadable, not read (see <see cref="PhotoSource.DefaultMaxPhotoBytes"/>).</summary>
    public long MaxPhotoBytes { get; init; } = PhotoSource.DefaultMaxPhotoBytes;

    /// <summary>The ffmpeg executable videos are read with (default: $RVS_FFMPEG, else "ffmpeg" on the PATH).</summary>
    public string Ffmpeg { get; init; } = VideoFrames.DefaultFfmpeg;
}

/// <summary>
/// Where a run stands. <paramref name="Total"/> is null when it is not known up front (archives are streamed once,
/// and counting their entries would mean decompressing them twice).
/// </summary>
public sealed record IndexingProgress(
    long Done,
    long? Total,
    int Indexed,
    int Skipped,
    int NoFace,
    int Unreadable,
    string? LastPath);

/// <summary>A photo that could not be indexed, and why, in words the user can act on.</summary>
public sealed record IndexingFailure(string Path, string Reason);

/// <summary>
/// The outcome of a run. Skipped photos were already in the collection with the same content. Faces counts the
/// faces stored by this run. Cancelled is true when the run was stopped early: what finished is committed, and the
/// next run picks up the rest. Failures lists the unreadable photos, plus one entry for the source itself when an
/// archive is damaged part-way (the photos before the damage are indexed); that entry is also SourceFailure, so a
/// caller can tell a run that saw the whole source from one that did not.
/// </summary>
public sealed record IndexingSummary(
    int Indexed,
    int Skipped,
    int NoFace,
    int Unreadable,
    int Faces,
    IReadOnlyList<IndexingFailure> Failures,
    bool Cancelled,
    TimeSpan Elapsed,
    IndexingFailure? SourceFailure = null)
{
    public int Seen => Indexed + Skipped + NoFace + Unreadable;
}

/// <summary>
/// A face ready to be written: detection, embedding, (optionally) its thumbnail, and for a video's face the time in
/// seconds it first appears.
/// </summary>
internal sealed record ProcessedFace(DetectedFace Face, float[] Embedding, byte[]? Thumbnail, double? TimeSeconds = null);

/// <summary>A photo (or video) worked through by the pipeline, ready for the catalog; Skipped ones are not written.</summary>
internal sealed record ProcessedPhoto(
    string Path,
    string Source,
    string Entry,
    bool FromArchive,
    string ContentHash,
    long Size,
    ImageStatus Status,
    string? Error,
    string? Label,
    int? Width,
    int? Height,
    IReadOnlyList<ProcessedFace> Faces,
    byte[]? PhotoBytes,
    bool Skipped = false,
    bool IsVideo = false);
