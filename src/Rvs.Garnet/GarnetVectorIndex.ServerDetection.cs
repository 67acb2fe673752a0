using System.Globalization;
using StackExchange.Redis;

namespace Rvs.Index.Garnet;

/// <summary>Telling Garnet from Redis 8 at connect time, since the two give VSIM scores different meanings.</summary>
public sealed partial class GarnetVectorIndex
{
    private (VectorServerKind, string) DetectServer()
    {
        var connected = _mux.GetServers().Where(s => s.IsConnected).ToArray();
        if (connected.Length == 0)
            throw new GarnetIndexException(
                $"No Garnet/Redis server answered at {_options.Endpoints} (within {_options.TimeoutMs} ms).",
                new RedisConnectionException(ConnectionFailureType.UnableToConnect, _mux.GetStatus()), [_options.Endpoints]);
        (VectorServerKind Kind, string Version)? seen = null;
        foreach (var server in connected)
        {
            // Ad-hoc rather than InfoRaw, which the client reserves for admin mode; this index needs no admin rights.
            var info = (string?)server.Execute("INFO", "server") ?? "";
            // Garnet also reports redis_version (7.4.3 in 2.2.8) for client compatibility, so garnet_version has to
            // be looked for first or Garnet would be taken for an old Redis.
            var garnet = InfoField(info, "garnet_version");
            var redis = InfoField(info, "redis_version");
            (VectorServerKind, string) kind;
            if (garnet is not null) kind = (VectorServerKind.Garnet, garnet);
            else if (redis is not null && int.TryParse(redis.Split('.')[0], CultureInfo.InvariantCulture, out var major) && major >= 8)
                kind = (VectorServerKind.Redis, redis);
            else
                throw new NotSupportedException($"{Format(server.EndPoint)} is neither Garnet nor Redis ≥ 8 (redis_version {redis ?? "?"}); it has no vector sets.");
            if (seen is { } s && s.Kind != kind.Item1)
                throw new NotSupportedException($"Endpoints mix {s.Kind} and {kind.Item1}; their scores mean different things.");
            seen = kind;
        }
        return seen!.Value;
    }

    internal static string? InfoField(string info, string name)
    {
        foreach (var raw in info.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith(name + ":", StringComparison.Ordinal)) return line[(name.Length + 1)..].Trim();
        }
        return null;
    }
}
