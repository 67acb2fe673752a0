namespace Rvs.Index.Garnet;

/// <summary>A vector-set command failed on a server that answered (wrong type, parameter mismatch, …).</summary>
public class GarnetIndexException : InvalidOperationException
{
    public GarnetIndexException(string message, Exception? inner = null) : base(message, inner) { }
    public GarnetIndexException() { }
    public GarnetIndexException(string message) : base(message) { }
}

/// <summary>
/// A shard could not be reached. The message names the shard, its key and the endpoint that owns it, so an
/// operator knows which server to restart without reading a client-library dump.
/// </summary>
public sealed class GarnetShardUnavailableException : GarnetIndexException
{
    public GarnetShardUnavailableException(int shard, string key, string endpoint, Exception? inner)
        : base($"Garnet shard {shard} (key {key}) at {endpoint} is unreachable: {Summarise(inner)}", inner)
    {
        Shard = shard;
        Key = key;
        Endpoint = endpoint;
    }

    public GarnetShardUnavailableException() { Key = Endpoint = ""; }
    public GarnetShardUnavailableException(string message) : base(message) { Key = Endpoint = ""; }
    public GarnetShardUnavailableException(string message, Exception inner) : base(message, inner) { Key = Endpoint = ""; }

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
