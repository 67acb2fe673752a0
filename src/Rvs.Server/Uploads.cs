using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Rvs.Server;

/// <summary>A photo read whole from a multipart request, with the form's other fields.</summary>
internal sealed record Upload(byte[] Bytes, IFormCollection Form);

/// <summary>
/// Reads uploads whole into memory, within a size limit. Files stay in memory (ASP.NET would otherwise spill large
/// ones to a temporary file) because query photos are never to be written anywhere.
/// </summary>
internal static class Uploads
{
    public const string PhotoField = "photo";

    // Multipart boundaries, part headers and the small text fields ride on top of the photo itself.
    public const long FormOverhead = 64 * 1024;

    public const int MaxFields = 16;

    private static readonly TimeSpan DiscardTimeout = TimeSpan.FromSeconds(60);

    public const int MaxPartHeadersLength = 16 * 1024;

    /// <summary>
    /// Reads the form of <paramref name="context"/>'s request, first reserving its size in the server's upload budget
    /// (held until the response is sent): a body over the limit is 413 and one that does not fit in the budget now is
    /// 503, both before a byte of it is read; both are counted as rejections.
    /// </summary>
    public static async Task<(Upload? Upload, IResult? Error)> ReadAsync(HttpContext context, ServerState state, CancellationToken cancellationToken)
    {
        var (upload, error) = await ReadAsync(context, state.Options.MaxUploadBytes, state.UploadBudget, cancellationToken);
        if (error is IStatusCodeHttpResult { StatusCode: StatusCodes.Status413PayloadTooLarge or StatusCodes.Status503ServiceUnavailable } refused)
        {
            state.Metrics.Rejected(refused.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? Observability.RejectionReasons.UploadTooLarge
                : Observability.RejectionReasons.UploadBudgetFull);
        }

        return (upload, error);
    }

    private static async Task<(Upload? Upload, IResult? Error)> ReadAsync(HttpContext context, long maxPhotoBytes, UploadBudget budget, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (!request.HasFormContentType)
        {
            return (null, ApiResults.Error(StatusCodes.Status400BadRequest,
                $"send the photo as multipart/form-data in the field '{PhotoField}'"));
        }

        var maxBody = maxPhotoBytes + FormOverhead;
        if (request.ContentLength > maxBody)
        {
            return (null, TooLarge(maxPhotoBytes));
        }

        // A body of unknown length may grow to the largest allowed, so that is what it reserves.
        if (budget.TryReserve(request.ContentLength ?? maxBody) is not { } reservation)
        {
            await DiscardBodyAsync(context, cancellationToken);
            return (null, ApiResults.Unavailable(context, "the server is busy receiving other uploads; try again in a moment"));
        }

        context.Response.RegisterForDispose(reservation);
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(new FormOptions
            {
                MultipartBodyLengthLimit = maxBody,
                MemoryBufferThreshold = (int)Math.Min(maxBody, int.MaxValue),
                ValueCountLimit = MaxFields,
                // Applies to url-encoded forms only; a multipart text field is bounded by the body's limit.
                ValueLengthLimit = 4096,
                MultipartHeadersLengthLimit = MaxPartHeadersLength,
                BufferBodyLengthLimit = maxBody,
            }, cancellationToken);
        }
        catch (Exception e) when (FormError(e, maxPhotoBytes) is { } answer)
        {
            return (null, answer);
        }

        var file = form.Files.GetFile(PhotoField);
        if (file is null)
        {
            return (null, ApiResults.Error(StatusCodes.Status400BadRequest, $"no photo: send it as a file in the form field '{PhotoField}'"));
        }

        if (file.Length > maxPhotoBytes)
        {
            return (null, TooLarge(maxPhotoBytes));
        }

        var bytes = new byte[file.Length];
        await using (var stream = file.OpenReadStream())
        {
            await stream.ReadExactlyAsync(bytes, cancellationToken);
        }

        return (new Upload(bytes, form), null);
    }

    /// <summary>
    /// Reads a refused upload's body into nothing, one small buffer at a time, and closes the connection after the
    /// answer. Without it the server would close a connection the client is still sending on, and the client would
    /// see a reset instead of the 503. A client still sending after a minute is cut off (a burst of many large uploads on loopback took 18 s to drain; docs/BENCHMARKS.md).
    /// </summary>
    private static async Task DiscardBodyAsync(HttpContext context, CancellationToken cancellationToken)
    {
        context.Response.Headers.Connection = "close";
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(DiscardTimeout);
        try
        {
            await context.Request.Body.CopyToAsync(Stream.Null, deadline.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or BadHttpRequestException)
        {
            // The answer is the same whether or not the rest of the body arrived.
        }
    }

    /// <summary>
    /// The answer to a form that could not be read, naming what was wrong: only the body's length limit is about the
    /// photo's size (413); a broken body or another limit (fields, part headers) is the form's fault (400).
    /// </summary>
    private static IResult? FormError(Exception e, long maxPhotoBytes) => e switch
    {
        InvalidDataException when e.Message.Contains("body length limit", StringComparison.OrdinalIgnoreCase) => TooLarge(maxPhotoBytes),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => TooLarge(maxPhotoBytes),
        InvalidDataException when e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase) =>
            ApiResults.Error(StatusCodes.Status400BadRequest, $"the form breaks a limit ({MaxFields} fields, {MaxPartHeadersLength / 1024} KB of headers a part): {OneLine(e.Message)}"),
        InvalidDataException or BadHttpRequestException => ApiResults.Error(StatusCodes.Status400BadRequest, $"the form could not be read: {OneLine(e.Message)}"),
        // A body that ends before its closing boundary surfaces as a plain IOException from the multipart reader.
        IOException when e is not ConnectionResetException => ApiResults.Error(StatusCodes.Status400BadRequest, $"the form could not be read: {OneLine(e.Message)}"),
        _ => null,
    };

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();

    private static IResult TooLarge(long maxPhotoBytes) => ApiResults.Error(StatusCodes.Status413PayloadTooLarge,
        $"the photo is too large: the limit is {maxPhotoBytes / (1024.0 * 1024.0):0.#} MB");
}
