using System.Collections.Frozen;
using System.Security.Cryptography;

namespace Rvs.Server;

/// <summary>
/// The web page's files, compiled into the library: the page works from any current directory, and a request
/// path is only ever a key into this fixed table, never a path on disk.
/// </summary>
internal static class StaticAssets
{
    private const string Prefix = "wwwroot/";

    private static readonly Lazy<FrozenDictionary<string, Asset>> All = new(Load);

    public sealed record Asset(byte[] Bytes, string ContentType, string ETag);

    public static IReadOnlyCollection<string> Names => All.Value.Keys;

    public static Asset? Find(string name) => All.Value.GetValueOrDefault(name);

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(StaticAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            var bytes = memory.ToArray();
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] + "\"";
            assets[resource[Prefix.Length..]] = new Asset(bytes, ContentType(resource), etag);
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".ico" => "image/x-icon",
        _ => "application/octet-stream",
    };
}
