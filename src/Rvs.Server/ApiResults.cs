using System.Globalization;
using Microsoft.AspNetCore.Http;
using Rvs.Errors;
using Rvs.Server.Observability;

namespace Rvs.Server;

internal static class ApiResults
{
    /// <summary>Seconds a client is asked to wait before retrying a 503.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>The one place a user-facing error becomes an HTTP status.</summary>
    public static int Status(ErrorCategory category) => category switch
    {
        ErrorCategory.InvalidRequest => StatusCodes.Status400BadRequest,
        ErrorCategory.NotFound => StatusCodes.Status404NotFound,
        ErrorCategory.UnsupportedInput => StatusCodes.Status415UnsupportedMediaType,
        ErrorCategory.TooLarge => StatusCodes.Status413PayloadTooLarge,
        ErrorCategory.NoFace => StatusCodes.Status422UnprocessableEntity,
        ErrorCategory.ModelMismatch => StatusCodes.Status409Conflict,
        ErrorCategory.IndexUnavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>
    /// Answers a request that failed with a user-facing error: its status, its one-line message (prefixed for a photo
    /// that could not be read), and Retry-After on a 503, since an unreachable shard may come back.
    /// </summary>
    public static Task WriteAsync(HttpContext context, RvsException error)
    {
        var status = Status(error.Category);
        context.Response.StatusCode = status;
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        }

        var message = error.Category is ErrorCategory.UnsupportedInput or ErrorCategory.TooLarge
            ? $"the upload is not a usable photo: {error.Message}"
            : error.Message;
        return context.Response.WriteAsJsonAsync(ErrorBody(context, message));
    }

    public static IResult Error(int status, string message) => new ErrorResult(status, message);

    /// <summary>The body of every error answer: its message and the request's id.</summary>
    public static ApiError ErrorBody(HttpContext context, string message) => new(message, RequestIds.Of(context));

    /// <summary>A 503 for load shed on purpose, with Retry-After: the same request may well succeed a moment later.</summary>
    public static IResult Unavailable(HttpContext context, string message)
    {
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return Error(StatusCodes.Status503ServiceUnavailable, message);
    }

    public static IResult NotFound(string message) => Error(StatusCodes.Status404NotFound, message);

    /// <summary>Ids are positive 64-bit integers; anything else is refused before it reaches the catalog.</summary>
    public static bool TryParseId(string? text, out long id, out IResult? error)
    {
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id > 0)
        {
            error = null;
            return true;
        }

        var shown = text is null ? "" : text.Length > 40 ? text[..40] + "…" : text;
        error = Error(StatusCodes.Status400BadRequest, $"'{shown}' is not an id: ids are positive whole numbers");
        return false;
    }

    /// <summary>An error answer, written when the request is at hand, so its body can carry the request's id.</summary>
    private sealed class ErrorResult(int status, string message) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => status;

        public Task ExecuteAsync(HttpContext httpContext) =>
            Results.Json(ErrorBody(httpContext, message), statusCode: status).ExecuteAsync(httpContext);
    }
}
