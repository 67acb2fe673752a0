using System.Globalization;
using System.Runtime.InteropServices;
using StackExchange.Redis;

namespace Rvs.Index.Garnet;

/// <summary>Which server speaks the vector-set commands; they agree on syntax but not on what a score means.</summary>
public enum VectorServerKind
{
    /// <summary>Garnet 2.x preview: VSIM scores are squared L2 distances (0 = identical).</summary>
    Garnet,
    /// <summary>Redis 8: VSIM scores are similarities (1 + cos) / 2 (1 = identical, 0 = opposite).</summary>
    Redis,
}

/// <summary>
/// Vector index kept in Garnet (or Redis 8) vector sets, spread over <see cref="GarnetVectorIndexOptions.Shards"/>
/// keys <c>rvs:{collection:shard}</c>. The hash tag makes each shard one cluster slot, so a cluster spreads shards
/// over its primaries; every search asks all shards in parallel and merges by distance.
/// </summary>
public sealed class GarnetVectorIndex : IVectorIndex
{
    private readonly GarnetVectorIndexOptions _options;
    private readonly ConnectionMultiplexer _mux;
    private readonly IDatabase _db;
    private readonly RedisKey[] _keys;
    private readonly SemaphoreSlim[] _removeLocks;
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

    private static Exception Rethrow(Exception e)
    {
        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e).Throw();
        return e;
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

    private async Task<RedisResult> ExecAsync(int shard, string command, ICollection<object> args)
    {
        // The key travels as a RedisKey so the client hashes it to its slot and sends the ad-hoc command to the
        // primary owning it (following MOVED/ASK when the cluster reshards).
        try
        {
            return await _db.ExecuteAsync(command, args, CommandFlags.DemandMaster).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
        {
            throw new GarnetShardUnavailableException(shard, _keys[shard]!, EndpointOf(shard), e);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("CLUSTERDOWN", StringComparison.Ordinal))
        {
            throw new GarnetShardUnavailableException(shard, _keys[shard]!, EndpointOf(shard), e);
        }
        catch (RedisServerException e)
        {
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

    internal static string? InfoField(string info, string name)
    {
        foreach (var raw in info.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith(name + ":", StringComparison.Ordinal)) return line[(name.Length + 1)..].Trim();
        }
        return null;
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

internal static class StringExtensions
{
    public static bool AnyOf(this string s, params char[] chars) => s.IndexOfAny(chars) >= 0;
}
