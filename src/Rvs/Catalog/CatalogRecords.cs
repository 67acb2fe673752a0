using System.Drawing;

namespace Rvs.Catalog;

/// <summary>What indexing concluded about one photo.</summary>
public enum ImageStatus
{
    /// <summary>At least one face was found and stored.</summary>
    Indexed,

    /// <summary>The photo was read but no face was found.</summary>
    NoFace,

    /// <summary>The file could not be read or decoded (or the pipeline failed on it); see the error text.</summary>
    Unreadable,
}

/// <summary>
/// One search result. <paramref name="Rank"/> starts at 1. <paramref name="Distance"/> is L2 between unit vectors and
/// <paramref name="Similarity"/> the matching cosine. <paramref name="Box"/> is in pixels of the original photo (or
/// video frame). <paramref name="TimeSeconds"/> is set for a video's face: when, from the start, that appearance begins.
/// </summary>
public sealed record SearchHit(
    int Rank,
    long FaceId,
    long ImageId,
    string Path,
    string? Label,
    float Distance,
    float Similarity,
    RectangleF Box,
    double? TimeSeconds = null)
{
    /// <summary>Too small or too weakly detected to be trusted (<see cref="Pipelines.FaceQuality"/>); left out of results unless asked for.</summary>
    public bool LowQuality { get; init; }
}

/// <summary>A stored face, in pixels of the original photo; landmarks in the detector's order.</summary>
public sealed record FaceRecord(
    long FaceId,
    long ImageId,
    int Ordinal,
    string Path,
    string? Label,
    RectangleF Box,
    float Score,
    PointF[] Landmarks);

/// <summary>
/// A stored photo. <paramref name="Path"/> is what the user sees (an absolute file path, or "archive!/entry");
/// <paramref name="Source"/> is the folder or archive it was indexed from and <paramref name="Entry"/> its path inside.
/// <paramref name="IsVideo"/>: the entry is a video, whose faces are one per appearance of a person.
/// </summary>
public sealed record ImageRecord(
    long ImageId,
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
    DateTimeOffset IndexedAt,
    int FaceCount,
    bool IsVideo = false);

/// <summary>
/// Counts for `rvs stats`. People is the number of distinct labels. ImagesByStatus has every status, zero included.
/// </summary>
public sealed record CollectionStats(
    long Images,
    long Faces,
    long People,
    IReadOnlyDictionary<ImageStatus, long> ImagesByStatus,
    long SizeOnDiskBytes,
    CollectionSettings Settings,
    string LoadedIndexKind,
    long IndexedVectors)
{
    /// <summary>Faces <see cref="Pipelines.FaceQuality"/> calls low quality: kept, but left out of results by default.</summary>
    public long LowQualityFaces { get; init; }
}

/// <summary>What <see cref="FaceCollection.Remove"/> deleted.</summary>
public sealed record RemovalSummary(int Images, int Faces);

/// <summary>Search hits, and whether some shards could not be asked (only with a back end that allows partial answers).</summary>
public sealed record CollectionSearchResult(IReadOnlyList<SearchHit> Hits, bool IsPartial, IReadOnlyList<string> Unavailable);
