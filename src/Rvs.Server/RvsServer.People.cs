using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rvs.Errors;
using Rvs.Verdicts;
using Rvs.Search;

namespace Rvs.Server;

/// <summary>
/// The people routes: persons listed and shown (paged), and the user's corrections (name, merge, split, "not this
/// person"), which change the collection and so need the API key, as adding and removing photos do.
/// </summary>
public static partial class RvsServer
{
    /// <summary>Largest page of persons or faces one request gets.</summary>
    public const int MaxPageSize = 200;

    /// <summary>A correction's JSON body is a few fields; anything larger is refused unread.</summary>
    private const int MaxCorrectionBytes = 64 * 1024;

    private static readonly JsonSerializerOptions CorrectionJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static void MapPeople(RouteGroupBuilder api)
    {
        api.MapGet("/people", ListPeople)
            .WithSummary($"Persons, most faces first, paged with 'offset' and 'limit' (1..{MaxPageSize}, default 50).")
            .Produces<PeoplePageResponse>();
        api.MapGet("/people/{id}", GetPerson)
            .WithSummary("A person and a page of its faces ('offset', 'limit').")
            .Produces<PersonResponse>().Produces<ApiError>(404);
        api.MapPost("/people/{id}/name", NamePersonAsync)
            .WithSummary($"Name a person: JSON {{\"name\": \"…\"}} (empty clears it); needs {ApiKeyHeader}.")
            .Accepts<NameRequest>("application/json").Produces<PersonResponse>().ProducesCorrectionErrors();
        api.MapPost("/people/{id}/merge", MergePersonAsync)
            .WithSummary($"Merge another person into this one: JSON {{\"other\": id}}; needs {ApiKeyHeader}.")
            .Accepts<MergeRequest>("application/json").Produces<PersonResponse>().ProducesCorrectionErrors();
        api.MapPost("/people/{id}/split", SplitPersonAsync)
            .WithSummary($"Move faces out into a new person: JSON {{\"face_ids\": [ids]}}; needs {ApiKeyHeader}.")
            .Accepts<SplitRequest>("application/json").Produces<PersonResponse>().ProducesCorrectionErrors();
        api.MapPost("/people/{id}/faces/{faceId}/not-this-person", NotThisPerson)
            .WithSummary($"Mark a face as not this person: it leaves, and clustering never puts it back; needs {ApiKeyHeader}.")
            .Produces<PersonResponse>().ProducesCorrectionErrors();
    }

    private static RouteHandlerBuilder ProducesCorrectionErrors(this RouteHandlerBuilder builder) => builder
        .Produces<ApiError>(StatusCodes.Status400BadRequest)
        .Produces<ApiError>(StatusCodes.Status401Unauthorized)
        .Produces<ApiError>(StatusCodes.Status403Forbidden)
        .Produces<ApiError>(StatusCodes.Status404NotFound)
        .DisableAntiforgery();

    private static IResult ListPeople(ServerState state, HttpContext context)
    {
        if (!TryReadPage(context, out var offset, out var limit, out var error))
        {
            return error!;
        }

        var (total, persons) = state.RequirePeople().ListPage(offset, limit);
        return Results.Ok(new PeoplePageResponse(total, offset, limit, [.. persons.Select(p =>
            new ApiPerson(p.PersonId, p.Name, Title(p.PersonId, p.Name), p.FaceCount, p.PhotoCount, p.CoverFaceId, ThumbnailUrl(p.CoverFaceId), PersonUrl(p.PersonId)))]));
    }

    private static IResult GetPerson(string id, ServerState state, HttpContext context)
    {
        if (!ApiResults.TryParseId(id, out var personId, out var error) || !TryReadPage(context, out var offset, out var limit, out error))
        {
            return error!;
        }

        return Results.Ok(PersonPage(state, personId, offset, limit));
    }

    private static async Task<IResult> NamePersonAsync(string id, ServerState state, HttpContext context)
    {
        var (personId, body, error) = await ReadCorrectionAsync<NameRequest>(id, state, context);
        if (error is not null)
        {
            return error;
        }

        var name = body!.Name?.Trim() ?? "";
        if (name.Length > 200 || name.Any(char.IsControl))
        {
            return ApiResults.Error(StatusCodes.Status400BadRequest, "a name is at most 200 characters, without control characters");
        }

        state.RequirePeople().Name(personId, name);
        return Results.Ok(PersonPage(state, personId, 0, MaxPageSize));
    }

    private static async Task<IResult> MergePersonAsync(string id, ServerState state, HttpContext context)
    {
        var (personId, body, error) = await ReadCorrectionAsync<MergeRequest>(id, state, context);
        if (error is not null)
        {
            return error;
        }

        if (body!.Other is not > 0)
        {
            return ApiResults.Error(StatusCodes.Status400BadRequest, "give the person to merge in as {\"other\": id}");
        }

        return Results.Ok(PersonPage(state, state.RequirePeople().Merge(personId, body.Other.Value), 0, MaxPageSize));
    }

    private static async Task<IResult> SplitPersonAsync(string id, ServerState state, HttpContext context)
    {
        var (personId, body, error) = await ReadCorrectionAsync<SplitRequest>(id, state, context);
        if (error is not null)
        {
            return error;
        }

        if (body!.FaceIds is not { Count: > 0 and <= MaxPageSize } faces)
        {
            return ApiResults.Error(StatusCodes.Status400BadRequest, $"give 1 to {MaxPageSize} faces to split off as {{\"face_ids\": [ids]}}");
        }

        return Results.Ok(PersonPage(state, state.RequirePeople().Split(personId, faces), 0, MaxPageSize));
    }

    private static IResult NotThisPerson(string id, string faceId, ServerState state, HttpContext context)
    {
        if (CheckApiKey(context, state) is { } refused)
        {
            return refused;
        }

        if (!ApiResults.TryParseId(id, out var personId, out var error) || !ApiResults.TryParseId(faceId, out var face, out error))
        {
            return error!;
        }

        state.RequirePeople().NotThisPerson(face, personId);
        return Results.Ok(PersonPage(state, personId, 0, MaxPageSize));
    }

    /// <summary>
    /// The checks every correction makes, in order: the API key (before the body is read), the person id, then the
    /// JSON body, bounded in size; a body that is not the expected JSON is a 400 with a one-line reason.
    /// </summary>
    private static async Task<(long PersonId, T? Body, IResult? Error)> ReadCorrectionAsync<T>(string id, ServerState state, HttpContext context)
        where T : class
    {
        if (CheckApiKey(context, state) is { } refused)
        {
            return (0, null, refused);
        }

        if (!ApiResults.TryParseId(id, out var personId, out var error))
        {
            return (0, null, error);
        }

        if (context.Request.ContentLength > MaxCorrectionBytes)
        {
            return (0, null, ApiResults.Error(StatusCodes.Status413PayloadTooLarge, $"a correction is a small JSON body (at most {MaxCorrectionBytes / 1024} KiB)"));
        }

        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxCorrectionBytes)
            {
                return (0, null, ApiResults.Error(StatusCodes.Status413PayloadTooLarge, $"a correction is a small JSON body (at most {MaxCorrectionBytes / 1024} KiB)"));
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            var body = JsonSerializer.Deserialize<T>(buffer.ToArray(), CorrectionJson);
            return body is null
                ? (0, null, ApiResults.Error(StatusCodes.Status400BadRequest, "the body must be a JSON object"))
                : (personId, body, null);
        }
        catch (JsonException e)
        {
            return (0, null, ApiResults.Error(StatusCodes.Status400BadRequest, $"the body is not the JSON this route takes: {e.Message.Split('.')[0]}"));
        }
    }

    private static PersonResponse PersonPage(ServerState state, long personId, int offset, int limit)
    {
        var person = state.RequirePeople().Get(personId) ?? throw new NotFoundException($"there is no person {personId}");
        var faces = person.Faces.Skip(offset).Take(limit).Select(f => new ApiPersonFace(f.FaceId, f.ImageId,
            Path.GetFileName(f.Path.Replace("!/", "/", StringComparison.Ordinal)), Box(f.Box), f.Pinned, ThumbnailUrl(f.FaceId), ImageUrl(f.ImageId)));
        return new PersonResponse(person.PersonId, person.Name, Title(person.PersonId, person.Name), person.Faces.Count, offset, limit, [.. faces]);
    }

    private static bool TryReadPage(HttpContext context, out int offset, out int limit, out IResult? error)
    {
        offset = 0;
        limit = 0;
        if (!TryReadInt(context, null, "offset", 0, 0, int.MaxValue, out var from, out error)
            || !TryReadInt(context, null, "limit", 50, 1, MaxPageSize, out var size, out error))
        {
            return false;
        }

        (offset, limit) = (from!.Value, size!.Value);
        return true;
    }

    /// <summary>The hits of a result grouped by person, in the order of each person's best hit.</summary>
    private static List<ApiPersonGroup> ToApiPersons(AnsweredHits result) => [.. result.Persons.Select(p =>
    {
        var best = result.Hits.Select((hit, i) => (hit, i)).First(h => h.hit.FaceId == p.Best.FaceId);
        return new ApiPersonGroup(p.PersonId, p.Name, p.Title, p.FaceCount, p.Best.Rank, p.Best.FaceId, p.Best.Distance,
            result.Policy is null ? null : result.VerdictOf(best.i).Word(), [.. p.Hits.Select(h => h.FaceId)], ThumbnailUrl(p.Best.FaceId), PersonUrl(p.PersonId));
    })];

    private static string Title(long personId, string? name) => PersonGroup.TitleOf(personId, name);

    private static string PersonUrl(long personId) => $"/api/people/{personId}";
}
