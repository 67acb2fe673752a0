using System.Drawing;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rvs.Catalog;

/// <summary>
/// What a vector back end stores beside each face (Garnet keeps it as the element's JSON attribute), so that a
/// search served from a shared cluster can name and place its hits without the local catalog.
/// </summary>
public sealed record FaceAttributes(
    [property: JsonPropertyName("image_id")] long ImageId,
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("label")] string? Label,
    [property: JsonPropertyName("box")] float[] Box)
{
    public static string ToJson(long imageId, string path, string? label, RectangleF box) =>
        JsonSerializer.Serialize(new FaceAttributes(imageId, path, label, [box.X, box.Y, box.Width, box.Height]));

    public static FaceAttributes? FromJson(string? json) =>
        string.IsNullOrEmpty(json) ? null : JsonSerializer.Deserialize<FaceAttributes>(json);
}
