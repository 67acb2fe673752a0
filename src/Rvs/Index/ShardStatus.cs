namespace Rvs.Index;

/// <summary>
/// One shard of an index spread over servers, as its last command found it: <see cref="Up"/> is true when the
/// server owning it last answered, false when it could not be reached, and null before anything was asked of it.
/// </summary>
public sealed record ShardStatus(int Shard, string Endpoint, bool? Up);

/// <summary>
/// An index whose vectors live in shards on other servers (Garnet). It tells how each shard's last command went, from
/// the commands searches and counts already send, so whoever reports health (a server's /metrics) never probes.
/// </summary>
public interface IShardedIndex
{
    IReadOnlyList<ShardStatus> Shards { get; }
}
