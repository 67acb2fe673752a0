using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Rvs.Server;

internal static class ApiResults
{
    public static IResult Error(int status, string message) => Results.Json(new ApiError(message), statusCode: status);

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
}
