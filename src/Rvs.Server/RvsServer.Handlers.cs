using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rvs.Catalog;
using Rvs.Evaluation;
using Rvs.Pipelines;
using Rvs.Search;
using Rvs.Server.Observability;
using Rvs.Verdicts;

namespace Rvs.Server;

/// <summary>The endpoint handlers: search, faces, photos, adding and removing, and the form fields they read.</summary>
public static partial class RvsServer
{
    private static async Task<IResult> SearchAsync(HttpContext context, ServerState state, CancellationToken cancellationToken)
    {
        var (upload, error) = await Uploads.ReadAsync(context, state, cancellationToken);
        if (upload is null)
        {
            return error!;
        }

        if (!TryReadInt(context, upload.Form, "k", state.Options.DefaultK, 1, state.Options.MaxK, out var k, out error)
            || !TryReadInt(context, upload.Form, "face", null, 0, 1000, out var wantedFace, out error)
            || !TryReadBool(context, upload.Form, "include_low_quality", out var includeLowQuality, out error))
        {
            return error!;
        }

        var search = new PhotoSearch(state.Collection, state.Pipeline, state.Verdicts);
        IReadOnlyList<EmbeddedFace> faces;
        // The whole upload is in memory before a slot is taken, so a slow client never holds the models.
        using (var slot = await state.Gate.EnterAsync(cancellationToken))
        {
            if (slot is null)
            {
                return Busy(context, state);
            }

            var embedding = Stopwatch.GetTimestamp();
            faces = search.Embed(upload.Bytes);
            state.Metrics.Embedded(Stopwatch.GetElapsedTime(embedding));
        }

        var found = faces.Select(f => new QueryFace(Box(f.Face.Box), f.Face.Score, Points(f.Face.Landmarks),
            FaceQuality.IsLow(f.Face.Box, f.Face.Score))).ToList();
        if (faces.Count == 0)
        {
            // No face is an answer the page shows ("no face found"), not a failed request.
            state.Metrics.AnsweredNoFace();
            return Results.Ok(new SearchResponse(found, null, [], Persons: []));
        }

        var searching = Stopwatch.GetTimestamp();
        var result = search.Search(new PhotoSearchRequest(upload.Bytes, k!.Value, wantedFace, IncludeLowQuality: includeLowQuality), faces);
        var searched = result.Searches[0].Result;
        state.Metrics.Answered(SearchKinds.Photo, searched, result.IsPartial, Stopwatch.GetElapsedTime(searching));
        return Results.Ok(new SearchResponse(found, result.Searches[0].Face, ToApiHits(searched), result.IsPartial, result.Unavailable,
            searched.Text, searched.Answer?.Verdict.Word(), ToApiPersons(searched)));
    }

    private static IResult GetFace(string id, ServerState state)
    {
        if (!ApiResults.TryParseId(id, out var faceId, out var error))
        {
            return error!;
        }

        var face = state.Collection.GetFace(faceId);
        if (face is null)
        {
            return ApiResults.NotFound($"there is no face {faceId}");
        }

        var image = state.Collection.GetImage(face.ImageId);
        return Results.Ok(ToFaceResponse(face, image));
    }

    private static IResult GetThumbnail(string id, ServerState state, HttpContext context)
    {
        if (!ApiResults.TryParseId(id, out var faceId, out var error))
        {
            return error!;
        }

        var jpeg = state.Collection.GetThumbnail(faceId);
        if (jpeg is null)
        {
            return ApiResults.NotFound($"there is no face {faceId}, or it has no thumbnail");
        }

        // Face ids are never reused, so a face's thumbnail never changes: browsers may keep it for good.
        context.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
        return Results.Bytes(jpeg, ImageContentTypes.Sniff(jpeg));
    }

    private static IResult Similar(string id, ServerState state, HttpContext context)
    {
        if (!ApiResults.TryParseId(id, out var faceId, out var error))
        {
            return error!;
        }

        if (!TryReadInt(context, null, "k", state.Options.DefaultK, 1, state.Options.MaxK, out var k, out error)
            || !TryReadBool(context, null, "include_low_quality", out var includeLowQuality, out error))
        {
            return error!;
        }

        var searching = Stopwatch.GetTimestamp();
        var answered = state.Verdicts.Answer(state.Collection.Similar(faceId, k!.Value, includeLowQuality: includeLowQuality));
        state.Metrics.Answered(SearchKinds.Similar, answered, partial: false, Stopwatch.GetElapsedTime(searching));
        return Results.Ok(new SimilarResponse(faceId, ToApiHits(answered), answered.Text, answered.Answer?.Verdict.Word(), ToApiPersons(answered)));
    }

    private static IResult GetImage(string id, ServerState state)
    {
        if (!ApiResults.TryParseId(id, out var imageId, out var error))
        {
            return error!;
        }

        // Only a path stored in the catalog at indexing time is ever opened; nothing in the request names a file.
        var (video, isVideo, videoProblem) = state.Collection.OpenVideo(imageId);
        if (isVideo)
        {
            // Range requests let the browser seek to the face's time without fetching the video up to it.
            return video is null
                ? ApiResults.Error(StatusCodes.Status410Gone, $"video {imageId} is in the collection, but {videoProblem}")
                : Results.File(video, VideoContentType(video), enableRangeProcessing: true);
        }

        var (bytes, known, problem) = state.Collection.ReadPhoto(imageId);
        if (bytes is null)
        {
            return known
                ? ApiResults.Error(StatusCodes.Status410Gone, $"image {imageId} is in the collection, but {problem}")
                : ApiResults.NotFound($"there is no image {imageId}");
        }

        return Results.Bytes(bytes, ImageContentTypes.Sniff(bytes));
    }

    private static string VideoContentType(FileStream video)
    {
        var head = new byte[64];
        var read = video.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        video.Position = 0;
        return ImageContentTypes.SniffVideo(head.AsSpan(0, read));
    }

    private static async Task<IResult> AddImageAsync(HttpContext context, ServerState state, CancellationToken cancellationToken)
    {
        // The key is checked before the body is read, so strangers cannot make the server buffer uploads.
        if (CheckApiKey(context, state) is { } refused)
        {
            return refused;
        }

        var (upload, error) = await Uploads.ReadAsync(context, state, cancellationToken);
        if (upload is null)
        {
            return error!;
        }

        var label = upload.Form["label"].ToString().Trim();
        if (label.Length > 200 || label.Any(char.IsControl))
        {
            return ApiResults.Error(StatusCodes.Status400BadRequest, "a label is at most 200 characters, without control characters");
        }

        ImageRecord image;
        using (var slot = await state.Gate.EnterAsync(cancellationToken))
        {
            if (slot is null)
            {
                return Busy(context, state);
            }

            image = state.Indexer.AddPhoto(upload.Bytes, label.Length == 0 ? null : label, state.Pipeline,
                new IndexingOptions { SamePersonDistance = VerificationThresholds.SamePersonDistance(state.Collection.Pipeline.ModelId) });
        }

        var stored = state.Collection.GetFaces(image.ImageId);
        state.Metrics.PhotoAdded(stored.Count);
        PlaceIntoPersons(state, stored, context);
        var faces = stored.Select(f => ToFaceResponse(f, image)).ToList();
        return Results.Created($"/api/images/{image.ImageId}",
            new AddedImageResponse(image.ImageId, image.Label, image.Status.ToString().ToLowerInvariant(), faces));
    }

    private static IResult RemoveImage(string id, ServerState state, HttpContext context)
    {
        if (CheckApiKey(context, state) is { } refused)
        {
            return refused;
        }

        if (!ApiResults.TryParseId(id, out var imageId, out var error))
        {
            return error!;
        }

        var removed = state.Collection.RemoveImage(imageId);
        state.Metrics.PhotoRemoved(removed.Images, removed.Faces);
        return removed.Images == 0
            ? ApiResults.NotFound($"there is no image {imageId}")
            : Results.Ok(new RemovedImageResponse(imageId, removed.Faces));
    }

    private static IResult? CheckApiKey(HttpContext context, ServerState state)
    {
        if (!state.WritesEnabled)
        {
            return ApiResults.Error(StatusCodes.Status403Forbidden,
                "adding and removing photos is disabled on this server; start it with --api-key (or RVS_API_KEY) to allow it");
        }

        if (!state.IsApiKey(context.Request.Headers[ApiKeyHeader].ToString()))
        {
            context.Response.Headers.WWWAuthenticate = ApiKeyHeader;
            return ApiResults.Error(StatusCodes.Status401Unauthorized, $"a valid API key is needed in the {ApiKeyHeader} header");
        }

        return null;
    }

    private static IResult Busy(HttpContext context, ServerState state)
    {
        state.Metrics.Rejected(RejectionReasons.SearchQueueFull);
        return ApiResults.Unavailable(context, "the server is busy with other searches; try again in a moment");
    }

    private static bool TryReadInt(HttpContext context, IFormCollection? form, string name, int? fallback, int min, int max, out int? value, out IResult? error)
    {
        var text = form?[name].ToString();
        if (string.IsNullOrEmpty(text))
        {
            text = context.Request.Query[name].ToString();
        }

        error = null;
        if (string.IsNullOrEmpty(text))
        {
            value = fallback;
            return true;
        }

        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) && parsed >= min && parsed <= max)
        {
            value = parsed;
            return true;
        }

        value = null;
        error = ApiResults.Error(StatusCodes.Status400BadRequest, $"'{name}' must be a whole number from {min} to {max}");
        return false;
    }

    /// <summary>An optional true/false field (form or query); absent is false.</summary>
    private static bool TryReadBool(HttpContext context, IFormCollection? form, string name, out bool value, out IResult? error)
    {
        var text = form?[name].ToString();
        if (string.IsNullOrEmpty(text))
        {
            text = context.Request.Query[name].ToString();
        }

        error = null;
        value = false;
        if (string.IsNullOrEmpty(text) || bool.TryParse(text, out value))
        {
            return true;
        }

        error = ApiResults.Error(StatusCodes.Status400BadRequest, $"'{name}' must be true or false");
        return false;
    }

    /// <summary>
    /// On a collection grouped into persons, puts a new photo's faces into persons as `rvs index` does; one placement
    /// at a time, so two uploads never place the same face twice. The photo is added either way: a failure here is
    /// logged, not answered.
    /// </summary>
    private static void PlaceIntoPersons(ServerState state, IReadOnlyList<FaceRecord> faces, HttpContext context)
    {
        if (faces.Count == 0 || state.People is null || !state.People.HasPersons())
        {
            return;
        }

        try
        {
            lock (state.PlacementLock)
            {
                state.People.PlaceNewFaces(
                    MeasuredClusteringOptions.ForModel(state.Collection.Pipeline.ModelId, state.Collection.GalleryFaces),
                    (vector, k) => state.Collection.NearestFaces(vector, k), afterFaceId: faces.Min(f => f.FaceId) - 1);
            }
        }
        catch (InvalidOperationException e)
        {
            context.RequestServices.GetService<ILoggerFactory>()?.CreateLogger("Rvs.Server")
                .LogWarning("new faces not placed into persons: {Reason}", e.Message);
        }
    }
}
