using System.Text.Json;
using System.Text.Json.Nodes;
using Rvs.Detection;

namespace Rvs.Cli.Commands;

/// <summary>The JSON shapes rvs prints with --json: exactly one object on stdout, numbers in original-photo pixels.</summary>
internal static class JsonOutput
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = false };

    public static JsonObject Face(DetectedFace face, float[]? embedding = null)
    {
        var json = new JsonObject
        {
            ["box"] = new JsonArray(Round(face.Box.X), Round(face.Box.Y), Round(face.Box.Width), Round(face.Box.Height)),
            ["score"] = Math.Round(face.Score, 5),
            ["landmarks"] = new JsonArray([.. face.Landmarks.Select(p => (JsonNode)new JsonArray(Round(p.X), Round(p.Y)))]),
        };
        if (embedding is not null)
        {
            json["embedding"] = Vector(embedding);
        }

        return json;
    }

    public static JsonArray Vector(float[] vector) => new([.. vector.Select(v => (JsonNode)JsonValue.Create(v))]);

    public static void Print(JsonNode node) => Console.Out.WriteLine(node.ToJsonString(Options));

    private static JsonNode Round(float value) => JsonValue.Create(Math.Round(value, 2));
}
