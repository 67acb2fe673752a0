using System.Diagnostics;
using System.Globalization;
using Rvs.Index;
using Rvs.Index.Garnet;
using Rvs.Testing;

namespace Rvs.Bench;

/// <summary>
/// Loopback Garnet cluster benchmark: insert rate, search latency, throughput and recall against brute force,
/// with the embedded back ends (exact, hnsw) measured on the same vectors and queries in the same run, so the
/// ratios between them mean something on a shared machine.
/// dotnet run -c Release --project bench/Rvs.Bench -- garnet --n 200000 [--dims 192] [--nodes 3] [--shards 6]
///   [--efs 0,50,100,200,400] [--queries 200] [--concurrency 8] [--seconds 10] [--k 20] [--quant noquant|q8]
/// </summary>
public static class GarnetBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var opt = Parse(args);
        int n = opt.Int("n", 200_000), dims = opt.Int("dims", 192), nodes = opt.Int("nodes", 3), shards = opt.Int("shards", 6);
        int queries = opt.Int("queries", 200), concurrency = opt.Int("concurrency", 8), seconds = opt.Int("seconds", 10), k = opt.Int("k", 20);
        var efs = opt.Str("efs", "0,50,100,200,400").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var quant = opt.Str("quant", "noquant").Equals("q8", StringComparison.OrdinalIgnoreCase) ? GarnetQuantization.Q8 : GarnetQuantization.NoQuant;

        Console.WriteLine($"garnet bench: n={n} dims={dims} nodes={nodes} shards={shards} quant={quant} k={k} cores={Environment.ProcessorCount}");
        using var servers = await GarnetServers.StartAsync(nodes, cluster: nodes > 1);
        // A timeout's SIGTERM must not leave the servers running.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => servers.Dispose();
        Console.WriteLine($"cluster: {servers.Endpoints}");
        var rssBefore = servers.Nodes.Sum(x => x.RssBytes());
        var usedBefore = UsedMemory(servers);

        var faces = new SyntheticFaceVectors(dims, seed: 7, perIdentity: 10);
        var data = faces.Vectors(n);
        var options = new GarnetVectorIndexOptions(servers.Endpoints, "bench", shards, quant, TimeoutMs: 60_000);
        using var index = new GarnetVectorIndex(options, dims);

        var sw = Stopwatch.StartNew();
        const int chunk = 10_000;
        for (var start = 0; start < n; start += chunk)
        {
            var count = Math.Min(chunk, n - start);
            var ids = Enumerable.Range(start, count).Select(i => (long)i).ToArray();
            var attrs = ids.Select(i => $"{{\"path\":\"photos/{i}.jpg\",\"label\":\"id{faces.IdentityOf(i)}\"}}").ToArray();
            index.Add(ids, data.AsSpan(start * dims, count * dims), attrs);
            if (start / chunk % 5 == 0) Console.WriteLine($"  inserted {start + count} ({(start + count) / sw.Elapsed.TotalSeconds:F0}/s)");
        }
        var insertSeconds = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"insert: {n} in {insertSeconds:F1} s = {n / insertSeconds:F0} vectors/s; VCARD total {index.Count}");

        var rssAfter = servers.Nodes.Sum(x => x.RssBytes());
        var usedAfter = UsedMemory(servers);
        Console.WriteLine($"memory: RSS {Mb(rssBefore)} -> {Mb(rssAfter)} MiB (+{Mb(rssAfter - rssBefore)}), INFO used_memory {Mb(usedBefore)} -> {Mb(usedAfter)} MiB");
        Console.WriteLine($"memory per million faces: RSS {(rssAfter - rssBefore) / (double)n * 1e6 / (1 << 30):F2} GiB, used_memory {(usedAfter - usedBefore) / (double)n * 1e6 / (1 << 30):F2} GiB");

        var qs = faces.Queries(queries, n, querySeed: 1, out _).Chunk(dims).ToArray();
        var truth = qs.Select(q => BruteForce(data, dims, q, k)).ToArray();
        // Synthetic identities have 10 faces each: recall@10 asks for the same identity's faces, while the ranks
        // beyond are near-ties between unrelated identities (almost orthogonal in 192-d) that any ANN shuffles.
        var k10 = Math.Min(10, k);
        var truth10 = qs.Select(q => BruteForce(data, dims, q, k10)).ToArray();

        Console.WriteLine();
        Console.WriteLine($"| back end | EF | build s | inserts/s | recall@{k10} | recall@{k} | p50 ms | p99 ms | QPS ({concurrency} concurrent) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var ef in efs)
        {
            using var searcher = new GarnetVectorIndex(options with { SearchEf = ef > 0 ? ef : null }, dims);
            Report("garnet", ef > 0 ? ef.ToString(CultureInfo.InvariantCulture) : "default", insertSeconds, n, searcher, qs, truth, truth10, k, k10, concurrency, seconds);
        }

        foreach (var kind in new[] { ExactBackEnd.KindName, HnswBackEnd.KindName })
        {
            var build = Stopwatch.StartNew();
            using var embedded = VectorBackEnds.Embedded.FromSettings(kind, new Dictionary<string, string>(), n).Create(dims, n);
            embedded.Add([.. Enumerable.Range(0, n).Select(i => (long)i)], data);
            var buildSeconds = build.Elapsed.TotalSeconds;
            var ef = embedded is HnswVectorIndex hnsw ? hnsw.Options.ExpansionSearch.ToString(CultureInfo.InvariantCulture) : "-";
            Report(kind, ef, buildSeconds, n, embedded, qs, truth, truth10, k, k10, concurrency, seconds);
        }

        return 0;
    }

    private static void Report(string name, string ef, double buildSeconds, int n, IVectorIndex index, float[][] qs,
        HashSet<long>[] truth, HashSet<long>[] truth10, int k, int k10, int concurrency, int seconds)
    {
        var lat = new double[qs.Length];
        var found = 0;
        var found10 = 0;
        for (var i = 0; i < qs.Length; i++)
        {
            var t = Stopwatch.GetTimestamp();
            var hits = index.Search(qs[i], k);
            lat[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            found += hits.Count(h => truth[i].Contains(h.Id));
            found10 += hits.Take(k10).Count(h => truth10[i].Contains(h.Id));
        }

        var qps = Throughput(index, qs, k, concurrency, seconds);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {ef} | {buildSeconds:F1} | {n / buildSeconds:F0} | {found10 / (double)(qs.Length * k10):F4} | {found / (double)(qs.Length * k):F4} | {Percentiles.Of(lat, 50):F3} | {Percentiles.Of(lat, 99):F3} | {qps:F0} |"));
    }

    private static double Throughput(IVectorIndex index, float[][] qs, int k, int concurrency, int seconds)
    {
        long done = 0;
        var until = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var sw = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(() =>
        {
            var i = w;
            while (Stopwatch.GetTimestamp() < until)
            {
                index.Search(qs[i % qs.Length], k);
                Interlocked.Increment(ref done);
                i += concurrency;
            }
        })).ToArray();
        Task.WaitAll(workers);
        return done / sw.Elapsed.TotalSeconds;
    }

    private static HashSet<long> BruteForce(float[] data, int dims, float[] q, int k) =>
        [.. Rvs.Testing.BruteForce.Nearest(data, dims, q, k).Select(h => h.Id)];

    private static long UsedMemory(GarnetServers servers)
    {
        long sum = 0;
        foreach (var node in servers.Nodes)
        {
            using var c = new RespClient(node.Port);
            var info = c.Call("INFO", "memory") as string ?? "";
            var v = GarnetVectorIndexInfo(info, "used_memory") ?? GarnetVectorIndexInfo(info, "proc_physical_memory_size");
            if (v is not null && long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var bytes)) sum += bytes;
        }
        return sum;
    }

    private static string? GarnetVectorIndexInfo(string info, string name)
    {
        foreach (var raw in info.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith(name + ":", StringComparison.Ordinal)) return line[(name.Length + 1)..].Trim();
        }
        return null;
    }

    private static long Mb(long bytes) => bytes >> 20;

    private sealed class Options(Dictionary<string, string> values)
    {
        public int Int(string name, int fallback) =>
            values.TryGetValue(name, out var v) ? int.Parse(v.Replace("_", "", StringComparison.Ordinal), CultureInfo.InvariantCulture) : fallback;
        public string Str(string name, string fallback) => values.GetValueOrDefault(name, fallback);
    }

    private static Options Parse(string[] args)
    {
        var d = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException("expected --name value, got " + args[i]);
            d[args[i][2..]] = args[i + 1];
        }
        return new Options(d);
    }
}
