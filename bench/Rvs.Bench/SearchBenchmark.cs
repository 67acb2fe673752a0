using Rvs.Testing;
using System.Diagnostics;
using System.Globalization;
using Rvs.Index;

namespace Rvs.Bench;

/// <summary>
/// Exact vs HNSW on synthetic faces. A plain harness rather than BenchmarkDotNet: a million-vector build runs
/// once and takes minutes, and recall needs the exact answers of the same process anyway.
/// "Match recall" counts only exact top-20 hits at cosine similarity ≥ <see cref="SamePersonSimilarity"/>, the
/// share a user would see as "same person"; the noise tail of the top 20 matters less than those.
/// </summary>
internal static class SearchBenchmark
{
    private const int Dimensions = 192;
    private const int K = 20;
    private const float SamePersonSimilarity = 0.4f;

    public static int Run(string[] args)
    {
        var sizes = new List<int>();
        var queries = 1_000;
        var exactQueriesLarge = 200;
        var efs = new List<int>();
        var options = new HnswOptions();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--n": sizes.Add(int.Parse(args[++i], CultureInfo.InvariantCulture)); break;
                case "--queries": queries = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--exact-queries": exactQueriesLarge = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--ef": efs.AddRange(args[++i].Split(',').Select(e => int.Parse(e, CultureInfo.InvariantCulture))); break;
                case "--m": options = options with { Connectivity = int.Parse(args[++i], CultureInfo.InvariantCulture) }; break;
                case "--ef-add": options = options with { ExpansionAdd = int.Parse(args[++i], CultureInfo.InvariantCulture) }; break;
                default: Console.Error.WriteLine($"Unknown argument {args[i]}"); return 2;
            }
        }

        if (sizes.Count == 0)
        {
            sizes.AddRange([13_233, 1_000_000]);
        }

        if (efs.Count == 0)
        {
            efs.Add(options.ExpansionSearch);
        }

        Console.WriteLine($"search benchmark: {Dimensions}-d synthetic faces, k={K}, match threshold cosine {SamePersonSimilarity}, " +
                          $"{Environment.ProcessorCount} cores, HNSW M={options.Connectivity} ef_add={options.ExpansionAdd}");
        Console.WriteLine();
        Console.WriteLine("| n | index | build s | memory MB (managed + native / RSS Δ) | QPS 1 thread | QPS all cores | p50 ms | p99 ms | recall@20 | match recall |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var n in sizes)
        {
            RunSize(n, queries, n >= 100_000 ? Math.Min(exactQueriesLarge, queries) : queries, options, efs);
        }

        return 0;
    }

    private static void RunSize(int n, int queryCount, int exactQueryCount, HnswOptions options, List<int> efs)
    {
        var faces = new SyntheticFaceVectors(Dimensions, seed: 42);
        var matrix = faces.Vectors(n);
        var ids = Enumerable.Range(0, n).Select(i => (long)i).ToArray();
        var queries = faces.Queries(queryCount, n, querySeed: 1, out _);

        List<IReadOnlyList<VectorHit>> truth;
        var before = Memory.Take();
        var watch = Stopwatch.StartNew();
        using (var exact = new ExactVectorIndex(Dimensions, n))
        {
            exact.Add(ids, matrix);
            var build = watch.Elapsed.TotalSeconds;
            var memory = Memory.Take() - before;
            var single = Measure(exact, queries, exactQueryCount, parallel: false);
            var all = Measure(exact, queries, exactQueryCount, parallel: true);
            truth = single.Results;
            Row(n, "exact", build, $"{memory.ManagedMb:F0} + 0 / {memory.RssMb:F0}", single, all, "1", "1");
        }

        GC.Collect();
        before = Memory.Take();
        watch.Restart();
        using var hnsw = new HnswVectorIndex(Dimensions, options);
        hnsw.Add(ids, matrix);
        var hnswBuild = watch.Elapsed.TotalSeconds;
        var hnswMemory = Memory.Take() - before;
        var native = hnsw.NativeMemoryBytes / 1048576.0;
        foreach (var ef in efs)
        {
            hnsw.SetExpansionSearch(ef);
            var single = Measure(hnsw, queries, queryCount, parallel: false);
            var all = Measure(hnsw, queries, queryCount, parallel: true);
            var (recall, matchRecall) = Recall(truth, single.Results);
            Row(n, $"hnsw ef={ef}", hnswBuild, $"{hnswMemory.ManagedMb:F0} + {native:F0} / {hnswMemory.RssMb:F0}", single, all,
                recall.ToString("F3", CultureInfo.InvariantCulture), matchRecall.ToString("F3", CultureInfo.InvariantCulture));
        }
    }

    private static void Row(int n, string name, double build, string memory, Timing single, Timing all, string recall, string matchRecall) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {n:N0} | {name} | {build:F2} | {memory} | {single.Qps:F0} | {all.Qps:F0} | {single.P50:F3} | {single.P99:F3} | {recall} | {matchRecall} |"));

    private static (double Recall, double MatchRecall) Recall(List<IReadOnlyList<VectorHit>> truth, List<IReadOnlyList<VectorHit>> approximate)
    {
        long found = 0, total = 0, matches = 0, matchesFound = 0;
        for (var q = 0; q < truth.Count; q++)
        {
            var returned = approximate[q].Select(h => h.Id).ToHashSet();
            foreach (var hit in truth[q])
            {
                total++;
                var hitFound = returned.Contains(hit.Id);
                found += hitFound ? 1 : 0;
                if (hit.Similarity >= SamePersonSimilarity)
                {
                    matches++;
                    matchesFound += hitFound ? 1 : 0;
                }
            }
        }

        return ((double)found / total, matches == 0 ? 1 : (double)matchesFound / matches);
    }

    /// <summary>One caller issuing queries back to back (latency), or one caller per core (throughput).</summary>
    private static Timing Measure(IVectorIndex index, float[] queries, int count, bool parallel)
    {
        // Warm-up: JIT, caches, native thread contexts.
        for (var q = 0; q < Math.Min(count, 20); q++)
        {
            index.Search(queries.AsSpan(q * Dimensions, Dimensions), K);
        }

        var results = new IReadOnlyList<VectorHit>[count];
        var latencies = new double[count];
        var watch = Stopwatch.StartNew();
        if (parallel)
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                q => results[q] = index.Search(queries.AsSpan(q * Dimensions, Dimensions), K));
        }
        else
        {
            for (var q = 0; q < count; q++)
            {
                var start = Stopwatch.GetTimestamp();
                results[q] = index.Search(queries.AsSpan(q * Dimensions, Dimensions), K);
                latencies[q] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }

        var seconds = watch.Elapsed.TotalSeconds;
        return new Timing(count / seconds, Percentiles.Of(latencies, 50), Percentiles.Of(latencies, 99), [.. results]);
    }

    private sealed record Timing(double Qps, double P50, double P99, List<IReadOnlyList<VectorHit>> Results);

    private readonly record struct Memory(long Managed, long Rss)
    {
        public double ManagedMb => Managed / 1048576.0;

        public double RssMb => Rss / 1048576.0;

        public static Memory Take()
        {
            var managed = GC.GetTotalMemory(forceFullCollection: true);
            using var process = Process.GetCurrentProcess();
            return new Memory(managed, process.WorkingSet64);
        }

        public static Memory operator -(Memory a, Memory b) => new(a.Managed - b.Managed, a.Rss - b.Rss);
    }
}
