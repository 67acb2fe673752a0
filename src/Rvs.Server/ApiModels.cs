namespace Rvs.Server;

/// <summary>
/// A face found in an uploaded photo: box [x, y, w, h] and landmarks [[x, y], …] in the photo's pixels; LowQuality
/// when it is too small or too weakly detected for its results to be trusted (<see cref="Pipelines.FaceQuality"/>).
/// </summary>
public sealed record QueryFace(float[] Box, float Score, float[][] Landmarks, bool LowQuality = false);

/// <summary>
/// One result; the URLs are relative to the server. Verdict is "match", "possible" or "none" (null when the
/// collection's models have no measured thresholds); FileName is the photo's file name, to say where it comes from.
/// LowQuality marks a face too small or too weakly detected to be trusted (only returned when asked for).
/// TimeSeconds is set when the face is from a video (ImageUrl then serves the video, with range requests): when,
/// in seconds from the start, that person's appearance begins.
/// </summary>
public sealed record ApiHit(
    int Rank,
    long FaceId,
    long ImageId,
    string? Label,
    float Distance,
    float Similarity,
    float[] Box,
    string ThumbnailUrl,
    string ImageUrl,
    string? Verdict = null,
    string? FileName = null,
    bool LowQuality = false,
    double? TimeSeconds = null);

/// <summary>
/// The answer to a photo search: every face found (largest first), the index of the face searched (null when
/// there is none) and its nearest faces in the collection. Partial is true when part of the back end did not
/// answer (a Garnet shard down on a server started with --allow-partial); Unavailable names those parts.
/// Answer is the sentence to show first ("match: …" or "no match in this collection (closest faces shown)") and
/// Verdict its word ("match" or "none"); both null when the photo has no face or the models have no thresholds.
/// Persons groups the hits by person (empty until the collection is clustered).
/// </summary>
public sealed record SearchResponse(IReadOnlyList<QueryFace> Faces, int? Face, IReadOnlyList<ApiHit> Hits, bool Partial = false,
    IReadOnlyList<string>? Unavailable = null, string? Answer = null, string? Verdict = null, IReadOnlyList<ApiPersonGroup>? Persons = null);

/// <summary>More like a stored face: its nearest other faces, with the answer, verdicts and persons as for a search.</summary>
public sealed record SimilarResponse(long FaceId, IReadOnlyList<ApiHit> Hits, string? Answer = null, string? Verdict = null, IReadOnlyList<ApiPersonGroup>? Persons = null);

public sealed record FaceResponse(
    long FaceId,
    long ImageId,
    int Ordinal,
    string? Label,
    float[] Box,
    float Score,
    float[][] Landmarks,
    int? ImageWidth,
    int? ImageHeight,
    string ThumbnailUrl,
    string ImageUrl);

public sealed record StatsResponse(
    long Images,
    long Faces,
    long People,
    IReadOnlyDictionary<string, long> ImagesByStatus,
    long SizeOnDiskBytes,
    string Pipeline,
    string ModelId,
    int Dimensions,
    string IndexKind,
    long IndexedVectors);

public sealed record AddedImageResponse(long ImageId, string? Label, string Status, IReadOnlyList<FaceResponse> Faces);

public sealed record RemovedImageResponse(long ImageId, int Faces);

/// <summary>
/// Every failure is answered with one message a person can act on, and the request's id (as in the X-Request-Id
/// header and the server's log lines about it), so a report of the failure can be matched to the log.
/// </summary>
public sealed record ApiError(string Error, string? RequestId = null);

public sealed record HealthResponse(string Status, long Faces);
