using System.Diagnostics;
using System.Globalization;
using Rvs.Evaluation;
using Rvs.Index;
using Rvs.Testing;

namespace Rvs.Bench;

/// <summary>
/// Exact vs HNSW on synthetic faces (<see cref="SearchData"/>: uniform, the stress case, and face-like). A plain
/// harness rather than BenchmarkDotNet: a million-vector build runs once and takes minutes, and recall needs the
/// exact answers of the same process anyway.
/// "Match recall" counts only exact top-20 hits at cosine similarity ≥ <see cref="SamePersonSimilarity"/>, the
/// share a user would see as "same person"; the noise tail of the top 20 matters less than those.
/// </summary>
internal static class SearchBenchmark
{
    public const float SamePersonSimilarity = 0.4f;
    private const int Dimensions = 192;
    private const int K = 20;

    public static int Run(string[] args)
    {
        var sizes = new List<int>();
        var queries = 1_000;
        var exactQueriesLarge = 200;
        var efs = new List<int>();
        var options = new HnswOptions();
        List<string> data = [SearchData.Uniform, SearchData.FaceLike];
        List<HnswStorage> storages = [HnswStorage.Float32];
        string? peerDirectory = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--n": sizes.Add(Int(args[++i])); break;
                case "--queries": queries = Int(args[++i]); break;
                case "--exact-queries": exactQueriesLarge = Int(args[++i]); break;
                case "--ef": efs.AddRange(args[++i].Split(',').Select(Int)); break;
                case "--m": options = options with { Connectivity = Int(args[++i]) }; break;
                case "--ef-add": options = options with { ExpansionAdd = Int(args[++i]) }; break;
                case "--rerank": options = options with { RerankCandidates = Int(args[++i]) }; break;
                case "--data": data = [.. args[++i].Split(',')]; break;
                case "--storage": storages = [.. args[++i].Split(',').Select(HnswStorages.Parse)]; break;
                case "--peer-dir": peerDirectory = args[++i]; break;
                case "--lfw": i++; break;
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

        EmbeddingSet? lfw;
        List<(string Name, FaceVectorSource Source)> sources;
        try
        {
            lfw = data.Contains(SearchData.FaceLike) ? SearchData.LoadLfw(BenchArguments.Lfw(args)) : null;
            sources = [.. data.Select(name => (name, SearchData.Source(name, Dimensions, lfw)))];
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        Console.WriteLine($"search benchmark: {Dimensions}-d synthetic faces, k={K}, match threshold cosine {SamePersonSimilarity}, " +
                          $"{Environment.ProcessorCount} cores, HNSW M={options.Connectivity} ef_add={options.ExpansionAdd}" +
                          (options.RerankCandidates > 0 ? $", re-rank {options.RerankCandidates}" : ", re-rank ef"));
        Console.WriteLine();
        SearchData.PrintStatistics(lfw, sources);
        Console.WriteLine("| data | n | index | build s | inserts/s | memory MB (managed + native) | B/face | QPS 1 thread | QPS all cores | exact QPS beside | × exact | p50 ms | p99 ms | recall@20 | match recall |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (name, source) in sources)
        {
            foreach (var n in sizes)
            {
                var run = new SizeRun(name, source, n, queries, n >= 100_000 ? Math.Min(exactQueriesLarge, queries) : queries);
                run.Measure(options, storages, efs, peerDirectory is null ? null : Path.Combine(peerDirectory, $"{name}-{n}"));
            }
        }

        return 0;
    }

    private static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    private sealed class SizeRun(string data, FaceVectorSource source, int n, int queryCount, int exactQueryCount)
    {
        public void Measure(HnswOptions options, List<HnswStorage> storages, List<int> efs, string? peerDirectory)
        {
            var matrix = source.Vectors(n);
            var ids = Enumerable.Range(0, n).Select(i => (long)i).ToArray();
            var queries = source.Queries(queryCount, n, querySeed: 1, out _);

            var before = Memory.Take();
            var watch = Stopwatch.StartNew();
            using var exact = new ExactVectorIndex(Dimensions, n);
            exact.Add(ids, matrix);
            var exactBuild = watch.Elapsed.TotalSeconds;
            var exactMemory = Memory.Take() - before;
            var exactSingle = Timed(exact, queries, exactQueryCount, parallel: false);
            var exactAll = Timed(exact, queries, exactQueryCount, parallel: true);
            var truth = exactSingle.Results;
            Row("exact", exactBuild, exactMemory.Mb, 0, exactSingle, exactAll, exactAll.Qps, "1", "1");

            if (peerDirectory is not null)
            {
                SearchData.WritePeerFiles(peerDirectory, data, matrix, queries, Dimensions, K, truth);
            }

            foreach (var storage in storages)
            {
                GC.Collect();
                before = Memory.Take();
                watch.Restart();
                using var hnsw = new HnswVectorIndex(Dimensions, options with { Storage = storage });
                hnsw.Add(ids, matrix);
                var build = watch.Elapsed.TotalSeconds;
                var managedMb = (Memory.Take() - before).Mb;
                var nativeMb = hnsw.NativeMemoryBytes / 1048576.0;
                foreach (var ef in efs)
                {
                    hnsw.SetExpansionSearch(ef);
                    var single = Timed(hnsw, queries, queryCount, parallel: false);
                    var all = Timed(hnsw, queries, queryCount, parallel: true);
                    // The machine is shared, so the exact scan is timed again beside every row and the ratio taken
                    // against that, not against a figure from minutes before under another load.
                    var exactNow = Timed(exact, queries, Math.Min(exactQueryCount, 60), parallel: true).Qps;
                    var (recall, matchRecall) = Recall(truth, single.Results);
                    Row($"hnsw {HnswStorages.Name(storage)} ef={ef}", build, managedMb, nativeMb, single, all, exactNow,
                        recall.ToString("F3", CultureInfo.InvariantCulture), matchRecall.ToString("F3", CultureInfo.InvariantCulture));
                }
            }
        }

        private void Row(string name, double build, double managedMb, double nativeMb, Timing single, Timing all, double exactQps, string recall, string matchRecall) =>
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {data} | {n:N0} | {name} | {build:F1} | {n / build:F0} | {managedMb:F0} + {nativeMb:F0} | {(managedMb + nativeMb) * 1048576.0 / n:F0} | {single.Qps:F0} | {all.Qps:F0} | {exactQps:F0} | {all.Qps / exactQps:F1} | {single.P50:F3} | {single.P99:F3} | {recall} | {matchRecall} |"));
    }

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
    private static Timing Timed(IVectorIndex index, float[] queries, int count, bool parallel)
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

    private readonly record struct Memory(long Managed)
    {
        public double Mb => Managed / 1048576.0;

        public static Memory Take() => new(GC.GetTotalMemory(forceFullCollection: true));

        public static Memory operator -(Memory a, Memory b) => new(a.Managed - b.Managed);
    }
}
