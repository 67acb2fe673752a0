using Rvs.Errors;

namespace Rvs.Index.Garnet;

/// <summary>
/// The cluster could not answer a vector-set command: no shard reachable, or a command refused by a server that
/// answered (wrong key type, parameter mismatch, …). Either way the index is unavailable to the user.
/// </summary>
public class GarnetIndexException : IndexUnavailableException
{
    public GarnetIndexException(string message, Exception? inner = null, IReadOnlyList<string>? unavailable = null)
        : base(message, unavailable, inner) { }
}

/// <summary>
/// A shard could not be reached. The message names the shard, its key and the endpoint that owns it, so an
/// operator knows which server to restart without reading a client-library dump.
/// </summary>
public sealed class GarnetShardUnavailableException : GarnetIndexException
{
    public GarnetShardUnavailableException(int shard, string key, string endpoint, Exception? inner)
        : base($"Garnet shard {shard} (key {key}) at {endpoint} is unreachable: {Summarise(inner)}", inner, [$"shard {shard} ({key}) at {endpoint}"])
    {
        Shard = shard;
        Key = key;
        Endpoint = endpoint;
    }

    public int Shard { get; }
    public string Key { get; }
    public string Endpoint { get; }

    // The client library's messages run to several lines of connection diagnostics; the first sentence says enough.
    private static string Summarise(Exception? e)
    {
        if (e is null) return "no connection";
        var text = e.Message;
        var cut = text.IndexOfAny(['\n', ';']);
        return cut > 0 ? text[..cut].Trim() : text.Trim();
    }
}
