using Rvs.Catalog;
using Rvs.Errors;
using Rvs.Imaging;
using Rvs.Pipelines;

namespace Rvs.Search;

/// <summary>
/// One search by photo as a user asks for it: the photo's bytes, how many results, and which of its faces
/// (numbered as <c>rvs detect</c> lists them: largest first) or all of them. Low-quality faces of the collection
/// (<see cref="Pipelines.FaceQuality"/>) are left out of the results unless <paramref name="IncludeLowQuality"/>.
/// </summary>
public sealed record PhotoSearchRequest(byte[] Photo, int K, int? Face = null, bool AllFaces = false, float? MaxDistance = null,
    bool IncludeLowQuality = false);

/// <summary>The results for one face of the query photo, with their verdicts and answer.</summary>
public sealed record FaceSearchResult(int Face, AnsweredHits Result)
{
    public IReadOnlyList<SearchHit> Hits => Result.Hits;
}

/// <summary>
/// What a search by photo found: every face of the query photo, the result list of each face searched with, which
/// photos of the collection are the query itself (left out of the results), and whether the back end answered only
/// in part (the unreachable parts named).
/// </summary>
public sealed record PhotoSearchResult(
    IReadOnlyList<EmbeddedFace> Faces,
    IReadOnlyList<FaceSearchResult> Searches,
    IReadOnlyList<ImageRecord> QueryInCollection,
    IReadOnlyList<string> Unavailable)
{
    public bool IsPartial => Unavailable.Count > 0;

    /// <summary>The query photo's own label, when the photo is itself in the collection.</summary>
    public string? QueryLabel => QueryInCollection.Select(i => i.Label).FirstOrDefault(l => l is not null);
}

/// <summary>
/// The photo-search use case every surface calls (CLI, server, benchmarks), so that decoding, the choice of face,
/// leaving the query photo out of its own results and partial answers cannot drift between them.
/// </summary>
public sealed class PhotoSearch(FaceCollection collection, IEmbeddingPipeline pipeline, SearchVerdicts? verdicts = null)
{
    private readonly SearchVerdicts _verdicts = verdicts ?? new SearchVerdicts(collection);

    /// <summary>Decodes and embeds the query photo, then searches (<see cref="Embed"/> then <see cref="Search"/>).</summary>
    public PhotoSearchResult Run(PhotoSearchRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Search(request, Embed(request.Photo));
    }

    /// <summary>
    /// The faces of the query photo with their embeddings, largest first. This is the costly step (decode and the
    /// models), which a server runs under its concurrency gate; a photo that is not an image throws
    /// <see cref="ImageDecodeException"/>.
    /// </summary>
    public IReadOnlyList<EmbeddedFace> Embed(byte[] photo) => pipeline.Embed(ImageDecoder.Decode(photo));

    /// <summary>
    /// Searches the collection with the requested face(s) of an embedded query photo. No face at all is
    /// <see cref="NoFaceException"/>; a face number the photo does not have is <see cref="InvalidRequestException"/>.
    /// </summary>
    public PhotoSearchResult Search(PhotoSearchRequest request, IReadOnlyList<EmbeddedFace> faces)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(faces);
        if (request.K < 1)
        {
            throw new InvalidRequestException($"the number of results must be at least 1 (asked for {request.K})");
        }

        if (faces.Count == 0)
        {
            throw new NoFaceException("no face was found in the photo");
        }

        var chosen = request.AllFaces ? Enumerable.Range(0, faces.Count).ToList() : [ChooseFace(request.Face, faces.Count)];
        // A photo that is itself in the collection would otherwise come back first at distance 0.
        var itself = collection.FindImagesWithContent(request.Photo);
        var searches = new List<FaceSearchResult>();
        var unavailable = new List<string>();
        foreach (var face in chosen)
        {
            var result = collection.SearchWithStatus(faces[face].Embedding, request.K, request.MaxDistance, itself, request.IncludeLowQuality);
            searches.Add(new FaceSearchResult(face, _verdicts.Answer(result.Hits)));
            unavailable.AddRange(result.Unavailable.Where(u => !unavailable.Contains(u)));
        }

        return new PhotoSearchResult(faces, searches, itself, unavailable);
    }

    /// <summary>
    /// The face a request means: its number in the photo (largest first, as <c>rvs detect</c> numbers them), the
    /// largest when none is given; a number the photo does not have is <see cref="InvalidRequestException"/>.
    /// </summary>
    public static int ChooseFace(int? requested, int count) => requested switch
    {
        null => 0,
        var i when i >= 0 && i < count => i.Value,
        var i => throw new InvalidRequestException($"face {i} was asked for, but the photo has {count} face{(count == 1 ? "" : "s")}, numbered 0 to {count - 1}"),
    };
}
