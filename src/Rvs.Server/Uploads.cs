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

    public static async Task<(Upload? Upload, IResult? Error)> ReadAsync(HttpRequest request, long maxPhotoBytes, CancellationToken cancellationToken)
    {
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

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(new FormOptions
            {
                MultipartBodyLengthLimit = maxBody,
                MemoryBufferThreshold = (int)Math.Min(maxBody, int.MaxValue),
                ValueCountLimit = 16,
                ValueLengthLimit = 4096,
                MultipartHeadersLengthLimit = 16 * 1024,
                BufferBodyLengthLimit = maxBody,
            }, cancellationToken);
        }
        catch (InvalidDataException e) when (e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase))
        {
            return (null, TooLarge(maxPhotoBytes));
        }
        catch (InvalidDataException e)
        {
            return (null, ApiResults.Error(StatusCodes.Status400BadRequest, $"the form could not be read: {e.Message}"));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(maxPhotoBytes));
        }
        catch (BadHttpRequestException e)
        {
            return (null, ApiResults.Error(StatusCodes.Status400BadRequest, $"the request could not be read: {e.Message}"));
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

    private static IResult TooLarge(long maxPhotoBytes) => ApiResults.Error(StatusCodes.Status413PayloadTooLarge,
        $"the photo is too large: the limit is {maxPhotoBytes / (1024.0 * 1024.0):0.#} MB");
}
