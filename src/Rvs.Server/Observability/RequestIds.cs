using System.Buffers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Rvs.Server.Observability;

/// <summary>
/// Gives every request an id: the caller's <c>X-Request-Id</c> when it is a short plain token (a proxy's or a
/// client's, so one id follows the request across both logs), otherwise a new one. The id is the request's
/// <see cref="HttpContext.TraceIdentifier"/>, comes back in the response header and in error bodies, and is a scope
/// of every log line written while the request runs.
/// </summary>
internal static class RequestIds
{
    public const string Header = "X-Request-Id";

    /// <summary>The key the id has in log scopes (see the scope's template below), as in the error bodies.</summary>
    public const string ScopeKey = "request_id";

    public const int MaxLength = 64;

    // Letters, digits and - _ . only: an id is written into logs, so nothing may break a line or a JSON string.
    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");

    public static string Of(HttpContext context) => context.TraceIdentifier;

    public static bool IsUsable(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= MaxLength && !id.AsSpan().ContainsAnyExcept(Allowed);

    /// <summary>Time-ordered (UUID v7), so ids sort in the order requests came in.</summary>
    public static string NewId() => Guid.CreateVersion7().ToString("N");

    /// <summary>Runs first, so that everything after it (errors, logs, the exception handler) sees the id.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1727", Justification = "request_id as in the error bodies; ASP.NET's own scope already has a RequestId, holding Kestrel's connection-based id, not this one.")]
    public static void UseRequestIds(this WebApplication app)
    {
        var logger = app.Logger;
        app.Use(async (context, next) =>
        {
            var given = context.Request.Headers[Header].ToString();
            var id = IsUsable(given) ? given : NewId();
            context.TraceIdentifier = id;
            // At start, not now: the exception handler clears the headers set before a failure.
            context.Response.OnStarting(() =>
            {
                context.Response.Headers[Header] = id;
                return Task.CompletedTask;
            });
            // A message-template scope: the plain console shows "request_id:…", the JSON one a request_id field.
            using (logger.BeginScope("request_id:{request_id}", id))
            {
                await next(context);
            }
        });
    }
}
