namespace Rvs.Index.Garnet;

/// <summary>
/// Whether each shard answered its last command: every command passes through ExecAsync, which records the outcome,
/// so a health report reads what searches, counts and writes already learned instead of asking the servers again.
/// </summary>
public sealed partial class GarnetVectorIndex : IShardedIndex
{
    // A shard's state starts at 0: nothing asked of it yet.
    private const int Answered = 1;
    private const int Unreachable = 2;

    public IReadOnlyList<ShardStatus> Shards =>
    [
        .. Enumerable.Range(0, _keys.Length).Select(s => new ShardStatus(s, EndpointOf(s), Volatile.Read(ref _shardStates[s]) switch
        {
            Answered => true,
            Unreachable => false,
            _ => (bool?)null,
        })),
    ];

    private void Record(int shard, bool answered) => Volatile.Write(ref _shardStates[shard], answered ? Answered : Unreachable);
}
