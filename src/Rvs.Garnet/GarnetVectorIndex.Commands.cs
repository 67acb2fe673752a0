using StackExchange.Redis;

namespace Rvs.Index.Garnet;

/// <summary>
/// Sending ad-hoc vector-set commands to the primary that owns a shard, and turning client and server failures
/// into <see cref="GarnetIndexException"/>s that name the shard, its key and its endpoint.
/// </summary>
public sealed partial class GarnetVectorIndex
{
    private static Exception Rethrow(Exception e)
    {
        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e).Throw();
        return e;
    }

    private async Task<RedisResult> ExecAsync(int shard, string command, ICollection<object> args)
    {
        // The key travels as a RedisKey so the client hashes it to its slot and sends the ad-hoc command to the
        // primary owning it (following MOVED/ASK when the cluster reshards).
        try
        {
            var reply = await _db.ExecuteAsync(command, args, CommandFlags.DemandMaster).ConfigureAwait(false);
            Record(shard, answered: true);
            return reply;
        }
        catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
        {
            Record(shard, answered: false);
            throw new GarnetShardUnavailableException(shard, _keys[shard]!, EndpointOf(shard), e);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("CLUSTERDOWN", StringComparison.Ordinal))
        {
            Record(shard, answered: false);
            throw new GarnetShardUnavailableException(shard, _keys[shard]!, EndpointOf(shard), e);
        }
        catch (RedisServerException e)
        {
            // The server answered, with an error about the command: the shard itself is up.
            Record(shard, answered: true);
            throw new GarnetIndexException($"{command} on shard {shard} ({_keys[shard]}) at {EndpointOf(shard)} failed: {e.Message}", e);
        }
    }

    private string EndpointOf(int shard)
    {
        try
        {
            foreach (var server in _mux.GetServers())
            {
                if (server.ServerType != ServerType.Cluster) continue;
                var node = server.ClusterConfiguration?.GetBySlot(_keys[shard]);
                if (node?.EndPoint is { } ep) return Format(ep);
            }
        }
        catch (Exception)
        {
            // Only used to word an error; the configured endpoints are the fallback.
        }
        return _options.Endpoints;
    }

    private static string Format(System.Net.EndPoint ep) => ep switch
    {
        System.Net.IPEndPoint ip => $"{ip.Address}:{ip.Port}",
        System.Net.DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        _ => ep.ToString() ?? "?",
    };

    private static T[] Wait<T>(Task<T>[] tasks)
    {
        try
        {
            return Task.WhenAll(tasks).GetAwaiter().GetResult();
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            throw e.InnerExceptions[0];
        }
    }
}
