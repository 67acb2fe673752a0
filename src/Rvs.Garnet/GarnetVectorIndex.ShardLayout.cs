using StackExchange.Redis;

namespace Rvs.Index.Garnet;

/// <summary>Where a face lives: the key of each shard, the shard of each id, and the layout recorded per collection.</summary>
public sealed partial class GarnetVectorIndex
{
    /// <summary>The key of shard <paramref name="shard"/>; the braces make the whole "collection:shard" the slot.</summary>
    public string ShardKeyName(int shard) => $"rvs:{{{_options.Collection}:{shard}}}";

    /// <summary>
    /// Shard of a face id. A fixed integer mix rather than GetHashCode, which is randomised per process and would
    /// send the same id to a different key after a restart.
    /// </summary>
    public static int ShardOf(long id, int shards)
    {
        var x = unchecked((ulong)id);
        x ^= x >> 30;
        x = unchecked(x * 0xbf58476d1ce4e5b9UL);
        x ^= x >> 27;
        x = unchecked(x * 0x94d049bb133111ebUL);
        x ^= x >> 31;
        return (int)(x % (ulong)shards);
    }

    /// <summary>
    /// Records the layout the collection was created with and refuses to open it with another: a different shard
    /// count would look for every face in the wrong key, and different dims, quantisation or M would fail on every
    /// VADD with a less helpful server error.
    /// </summary>
    private void CheckLayout()
    {
        var key = (RedisKey)$"rvs:{{{_options.Collection}:meta}}";
        var layout = $"v1 shards={_options.Shards} dims={Dimensions} quant={_quant} m={_options.M}";
        RedisValue stored;
        try
        {
            _db.StringSet(key, layout, when: When.NotExists, flags: CommandFlags.DemandMaster);
            stored = _db.StringGet(key, CommandFlags.DemandMaster);
        }
        catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
        {
            // The node holding the layout is down; the check waits for the next open rather than blocking shards
            // that are up (AllowPartial).
            return;
        }
        if (!stored.IsNull && stored != layout)
            throw new GarnetIndexException(
                $"Collection '{_options.Collection}' was created as \"{stored}\" but is opened as \"{layout}\"; " +
                "shard count, dimensions, quantisation and M are fixed for a collection.");
    }
}
