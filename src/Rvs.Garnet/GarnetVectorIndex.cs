using System.Globalization;
using System.Runtime.InteropServices;
using StackExchange.Redis;

namespace Rvs.Index.Garnet;

/// <summary>
/// Vector index kept in Garnet (or Redis 8) vector sets, spread over <see cref="GarnetVectorIndexOptions.Shards"/>
/// keys <c>rvs:{collection:shard}</c>. The hash tag makes each shard one cluster slot, so a cluster spreads shards
/// over its primaries; every search asks all shards in parallel and merges by distance.
/// </summary>
public sealed partial class GarnetVectorIndex : IVectorIndex
{
    private readonly GarnetVectorIndexOptions _options;
    private readonly ConnectionMultiplexer _mux;
    private readonly IDatabase _db;
    private readonly RedisKey[] _keys;
    private readonly SemaphoreSlim[] _removeLocks;
    private readonly int[] _shardStates;
    private readonly string _quant;
    private volatile bool _vismemberMissing;

    public GarnetVectorIndex(GarnetVectorIndexOptions options, int dimensions)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Shards, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.M, 2);
        options = options with { Collection = options.Collection ?? GarnetBackEnd.DefaultCollection };
        if (string.IsNullOrWhiteSpace(options.Collection) || options.Collection.AnyOf('{', '}'))
            throw new ArgumentException("Collection must be non-empty and free of braces (they delimit the hash tag).", nameof(options));
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("FP32 blobs are sent little-endian as the servers expect.");

        _options = options;
        Dimensions = dimensions;
        _quant = options.Quantization == GarnetQuantization.Q8 ? "Q8" : "NOQUANT";
        _keys = Enumerable.Range(0, options.Shards).Select(ShardKeyName).Select(k => (RedisKey)k).ToArray();
        _removeLocks = Enumerable.Range(0, options.Shards).Select(_ => new SemaphoreSlim(1, 1)).ToArray();
        _shardStates = new int[options.Shards];

        var config = ConfigurationOptions.Parse(options.Endpoints);
        // A cluster with one primary down must still serve the others (AllowPartial), so connecting may not abort,
        // and commands for a dead node must fail at once rather than queue until the timeout.
        config.AbortOnConnectFail = false;
        config.BacklogPolicy = BacklogPolicy.FailFast;
        config.ConnectTimeout = options.TimeoutMs;
        config.SyncTimeout = options.TimeoutMs;
        config.AsyncTimeout = options.TimeoutMs;
        config.ConnectRetry = 1;
        _mux = ConnectionMultiplexer.Connect(config);
        try
        {
            _db = _mux.GetDatabase();
            (ServerKind, ServerVersion) = DetectServer();
            CheckLayout();
        }
        catch
        {
            _mux.Dispose();
            throw;
        }
    }

    public string Kind => "garnet";

    public int Dimensions { get; }

    public VectorServerKind ServerKind { get; }

    public string ServerVersion { get; }

    public GarnetVectorIndexOptions Options => _options;

    public long Count
    {
        get
        {
            var tasks = Enumerable.Range(0, _keys.Length).Select(s => ExecAsync(s, "VCARD", [_keys[s]])).ToArray();
            return Wait(tasks).Sum(r => r.IsNull ? 0L : (long)r);
        }
    }

    /// <summary>
    /// Deletes every shard of this collection, so a rebuild from the catalog starts empty: re-adding alone would keep
    /// faces that the catalog dropped while the remote sets were out of step (e.g. after a crash mid-remove).
    /// </summary>
    public void Clear()
    {
        var tasks = Enumerable.Range(0, _keys.Length).Select(s => ExecAsync(s, "DEL", [_keys[s]])).ToArray();
        Wait(tasks);
    }

    public void Add(IReadOnlyList<long> ids, ReadOnlySpan<float> vectors, IReadOnlyList<string?>? attributes = null)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (vectors.Length != ids.Count * Dimensions)
            throw new ArgumentException($"Expected {ids.Count} × {Dimensions} = {ids.Count * Dimensions} floats, got {vectors.Length}.", nameof(vectors));
        if (attributes is not null && attributes.Count != ids.Count)
            throw new ArgumentException($"Expected {ids.Count} attributes, got {attributes.Count}.", nameof(attributes));

        var pending = new List<Task<RedisResult>>(Math.Min(ids.Count, _options.AddBatch));
        for (var i = 0; i < ids.Count; i++)
        {
            var blob = UnitBlob(vectors.Slice(i * Dimensions, Dimensions), nameof(vectors));
            var shard = ShardOf(ids[i], _keys.Length);
            // Garnet fixes quantisation and M when a set is created and rejects a later VADD that does not repeat
            // them ("asked quantization/M value mismatch with existing vector set"); omitting them only works while
            // they happen to equal the defaults, so every VADD names both.
            var args = new List<object>(10)
            {
                _keys[shard], "FP32", (RedisValue)blob, ElementName(ids[i]), _quant, "M", _options.M,
            };
            if (attributes?[i] is { } json)
            {
                args.Add("SETATTR");
                args.Add(json);
            }
            // Pipelined, never MULTI/EXEC: in Garnet 2.2.8 a transaction holding a vector command never completes
            // and leaves the key locked for every other client.
            pending.Add(ExecAsync(shard, "VADD", args));
            if (pending.Count >= _options.AddBatch)
            {
                Wait(pending.ToArray());
                pending.Clear();
            }
        }
        if (pending.Count > 0) Wait(pending.ToArray());
    }

    public int Remove(IReadOnlyList<long> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var byShard = ids.Distinct().GroupBy(id => ShardOf(id, _keys.Length)).ToArray();
        var tasks = byShard.Select(g => RemoveFromShardAsync(g.Key, g.ToArray())).ToArray();
        return Wait(tasks).Sum();
    }

    public bool Contains(long id)
    {
        var shard = ShardOf(id, _keys.Length);
        return Wait([IsMemberAsync(shard, ElementName(id))])[0];
    }

    public IReadOnlyList<VectorHit> Search(ReadOnlySpan<float> query, int k)
    {
        var result = SearchCore(query, k, allowPartial: false);
        return result.Hits;
    }

    public SearchResult SearchWithStatus(ReadOnlySpan<float> query, int k) => SearchCore(query, k, _options.AllowPartial);

    /// <summary>Converts a VSIM score to the L2 distance between unit vectors that <see cref="VectorHit"/> carries.</summary>
    public static float ScoreToDistance(VectorServerKind kind, double score)
    {
        var squared = kind switch
        {
            // Garnet's metric is L2 and WITHSCORES gives the squared distance (2 for orthogonal unit vectors).
            VectorServerKind.Garnet => score,
            // Redis gives (1 + cos) / 2; |a − b|² = 2 − 2cos = 4(1 − score) for unit vectors.
            _ => 4.0 * (1.0 - score),
        };
        return (float)Math.Sqrt(Math.Max(0.0, squared));
    }

    public void Dispose()
    {
        _mux.Dispose();
        foreach (var l in _removeLocks) l.Dispose();
    }

    private SearchResult SearchCore(ReadOnlySpan<float> query, int k, bool allowPartial)
    {
        if (query.Length != Dimensions)
            throw new ArgumentException($"Query has {query.Length} dimensions, index has {Dimensions}.", nameof(query));
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var blob = (RedisValue)UnitBlob(query, nameof(query));

        var tasks = new Task<RedisResult>[_keys.Length];
        for (var s = 0; s < _keys.Length; s++)
        {
            var args = new List<object>(10) { _keys[s], "FP32", blob, "WITHSCORES", "WITHATTRIBS", "COUNT", k };
            if (_options.SearchEf is { } ef)
            {
                args.Add("EF");
                args.Add(ef);
            }
            tasks[s] = ExecAsync(s, "VSIM", args);
        }
        try
        {
            Task.WhenAll(tasks).GetAwaiter().GetResult();
        }
        catch (Exception)
        {
            // Inspected per shard below.
        }

        var hits = new List<VectorHit>(k * _keys.Length);
        var missing = new List<string>();
        for (var s = 0; s < tasks.Length; s++)
        {
            var t = tasks[s];
            if (t.IsCompletedSuccessfully)
            {
                ParseVsim(t.Result, hits);
                continue;
            }
            var error = t.Exception?.InnerException ?? new GarnetIndexException($"VSIM on shard {s} was cancelled.");
            if (allowPartial && error is GarnetShardUnavailableException down)
            {
                missing.Add($"shard {down.Shard} ({down.Key}) at {down.Endpoint}");
                continue;
            }
            throw error is GarnetIndexException ? Rethrow(error) : new GarnetIndexException(error.Message, error);
        }
        if (missing.Count == _keys.Length)
            throw new GarnetIndexException("No Garnet shard is reachable: " + string.Join("; ", missing), unavailable: missing);

        hits.Sort(static (a, b) => a.Distance != b.Distance ? a.Distance.CompareTo(b.Distance) : a.Id.CompareTo(b.Id));
        if (hits.Count > k) hits.RemoveRange(k, hits.Count - k);
        return new SearchResult(hits, missing.Count > 0, missing.Count > 0 ? missing : null);
    }

    private void ParseVsim(RedisResult reply, List<VectorHit> into)
    {
        // RESP2 shape with WITHSCORES WITHATTRIBS: flat [name, score, attributes|nil, name, …].
        var items = (RedisResult[])reply!;
        if (items.Length % 3 != 0)
            throw new GarnetIndexException($"Unexpected VSIM reply of {items.Length} items; expected name/score/attribute triples.");
        for (var i = 0; i < items.Length; i += 3)
        {
            var id = long.Parse((string)items[i]!, NumberStyles.Integer, CultureInfo.InvariantCulture);
            var score = double.Parse((string)items[i + 1]!, NumberStyles.Float, CultureInfo.InvariantCulture);
            var attrs = items[i + 2].IsNull ? null : (string?)items[i + 2];
            into.Add(new VectorHit(id, ScoreToDistance(ServerKind, score), attrs));
        }
    }

    private async Task<int> RemoveFromShardAsync(int shard, long[] ids)
    {
        // Garnet's VREM reply was seen to be wrong while other clients add to the same key, so the count comes
        // from VISMEMBER before and after, deletes are retried until the element is really gone, and this process
        // runs one delete batch per shard at a time.
        await _removeLocks[shard].WaitAsync().ConfigureAwait(false);
        try
        {
            var names = ids.Select(ElementName).ToArray();
            var present = await Task.WhenAll(names.Select(n => IsMemberAsync(shard, n))).ConfigureAwait(false);
            var todo = names.Where((_, i) => present[i]).ToList();
            var removed = todo.Count;
            for (var attempt = 0; todo.Count > 0; attempt++)
            {
                if (attempt == 4)
                    throw new GarnetIndexException($"VREM on shard {shard} ({_keys[shard]}) left {todo.Count} element(s) in place after {attempt} attempts, e.g. {todo[0]}.");
                await Task.WhenAll(todo.Select(n => ExecAsync(shard, "VREM", [_keys[shard], n]))).ConfigureAwait(false);
                var still = await Task.WhenAll(todo.Select(n => IsMemberAsync(shard, n))).ConfigureAwait(false);
                todo = todo.Where((_, i) => still[i]).ToList();
            }
            return removed;
        }
        finally
        {
            _removeLocks[shard].Release();
        }
    }

    private async Task<bool> IsMemberAsync(int shard, string element)
    {
        if (!_vismemberMissing)
        {
            try
            {
                var r = await ExecAsync(shard, "VISMEMBER", [_keys[shard], element]).ConfigureAwait(false);
                return !r.IsNull && (long)r == 1;
            }
            catch (GarnetIndexException e) when (e is not GarnetShardUnavailableException
                                                 && e.Message.Contains("unknown command", StringComparison.OrdinalIgnoreCase))
            {
                // Redis 8.0 has no VISMEMBER; VEMB answers nil for a missing element.
                _vismemberMissing = true;
            }
        }
        var emb = await ExecAsync(shard, "VEMB", [_keys[shard], element]).ConfigureAwait(false);
        return !emb.IsNull && ((RedisResult[])emb!).Length > 0;
    }

    private static string ElementName(long id) => id.ToString(CultureInfo.InvariantCulture);

    // Garnet's L2 metric does not normalise (|[2,0]−[1,0]|² comes back as 1) while Redis normalises internally, so
    // vectors are made unit here for both to agree and for the squared distance to map onto cosine.
    private static byte[] UnitBlob(ReadOnlySpan<float> v, string param)
    {
        var norm = 0.0;
        foreach (var x in v) norm += (double)x * x;
        norm = Math.Sqrt(norm);
        if (!(norm > 1e-12) || double.IsInfinity(norm))
            throw new ArgumentException("Vector is zero or not finite; it cannot be normalised.", param);
        var unit = new float[v.Length];
        var inv = 1.0 / norm;
        for (var i = 0; i < v.Length; i++) unit[i] = (float)(v[i] * inv);
        return MemoryMarshal.AsBytes(unit.AsSpan()).ToArray();
    }
}

internal static class StringExtensions
{
    public static bool AnyOf(this string s, params char[] chars) => s.IndexOfAny(chars) >= 0;
}
