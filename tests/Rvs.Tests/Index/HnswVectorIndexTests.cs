using Rvs.Testing;
using Rvs.Index;

namespace Rvs.Tests.Index;

public sealed class HnswVectorIndexTests : IDisposable
{
    private const int Dims = 192;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "rvs-hnsw-" + Guid.NewGuid().ToString("N"));

    public HnswVectorIndexTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static (ExactVectorIndex Exact, HnswVectorIndex Hnsw, float[] Queries) Build(int count, int queries, HnswOptions? options = null)
    {
        var faces = new SyntheticFaceVectors(Dims, seed: 11);
        var matrix = faces.Vectors(count);
        var ids = ExactVectorIndexTests.Ids(count, offset: 1_000);
        var exact = new ExactVectorIndex(Dims, count);
        exact.Add(ids, matrix);
        var hnsw = new HnswVectorIndex(Dims, options);
        hnsw.Add(ids, matrix);
        return (exact, hnsw, faces.Queries(queries, count, querySeed: 3, out _));
    }

    [Fact]
    public void hnsw_search_matches_exact_on_a_small_collection()
    {
        // A candidate list as long as the collection makes the graph search exhaustive, so the answers must be
        // identical; a quarter of it still missed a hit now and then, as parallel inserts vary the graph.
        var (exact, hnsw, queries) = Build(2_000, 50, new HnswOptions(ExpansionSearch: 2_000));
        using var _ = exact;
        using var __ = hnsw;

        Assert.Equal(2_000, hnsw.Count);
        for (var q = 0; q < 50; q++)
        {
            var query = queries.AsSpan(q * Dims, Dims);
            var expected = exact.Search(query, 20);
            var actual = hnsw.Search(query, 20);
            Assert.Equal(expected.Select(h => h.Id), actual.Select(h => h.Id));
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i].Distance, actual[i].Distance, 1e-4f);
            }
        }
    }

    [Fact]
    public void hnsw_recall_at_20_is_at_least_95_percent_on_20k_faces()
    {
        // The default ef is tuned for same-person matches, which it finds almost all of; the unrelated tail of a
        // top 20 in 192 dimensions needs a wider candidate list to be found reliably.
        var (exact, hnsw, queries) = Build(20_000, 200, new HnswOptions(ExpansionSearch: 256));
        using var _ = exact;
        using var __ = hnsw;

        var found = 0;
        for (var q = 0; q < 200; q++)
        {
            var query = queries.AsSpan(q * Dims, Dims);
            var truth = exact.Search(query, 20).Select(h => h.Id).ToHashSet();
            found += hnsw.Search(query, 20).Count(h => truth.Contains(h.Id));
        }

        var recall = found / (200.0 * 20);
        Assert.True(recall >= 0.95, $"recall@20 was {recall:F3}");
    }

    [Fact]
    public void removal_and_replacement_behave_like_the_exact_index()
    {
        var v = new float[Dims];
        v[0] = 1;
        var w = new float[Dims];
        w[1] = 1;
        using var index = new HnswVectorIndex(Dims);
        index.Add([1, 2, 3], [.. v, .. w, .. w], ["a", null, "c"]);

        index.Add([1], w, ["replaced"]);
        Assert.Equal(1, index.Remove([3, 42]));

        Assert.Equal(2, index.Count);
        Assert.False(index.Contains(3));
        var hits = index.Search(w, 5);
        Assert.Equal([1L, 2L], hits.Select(h => h.Id));
        Assert.All(hits, h => Assert.Equal(0f, h.Distance, 1e-3f));
        Assert.Equal("replaced", hits[0].Attributes);
        Assert.Null(hits[1].Attributes);
        Assert.Throws<ArgumentException>(() => index.Search(new float[3], 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Add([-1], v));
    }

    [Fact]
    public void a_saved_index_loads_and_views_with_the_same_results()
    {
        var (exact, hnsw, queries) = Build(3_000, 10);
        using var _ = exact;
        hnsw.Add([7], queries.AsSpan(0, Dims), ["{\"photo\":7}"]);
        var path = Path.Combine(_directory, "faces.usearch");
        var before = Enumerable.Range(0, 10).Select(q => hnsw.Search(queries.AsSpan(q * Dims, Dims), 20)).ToList();
        hnsw.Save(path);
        hnsw.Save(path); // overwriting an existing file must work too
        hnsw.Dispose();

        Assert.False(File.Exists(path + ".tmp"));
        using var loaded = HnswVectorIndex.Load(path);
        using var viewed = HnswVectorIndex.View(path);
        Assert.Equal(3_001, loaded.Count);
        Assert.Equal(3_001, viewed.Count);
        for (var q = 0; q < 10; q++)
        {
            Assert.Equal(before[q], loaded.Search(queries.AsSpan(q * Dims, Dims), 20));
            Assert.Equal(before[q], viewed.Search(queries.AsSpan(q * Dims, Dims), 20));
        }

        Assert.Equal("{\"photo\":7}", loaded.Search(queries.AsSpan(0, Dims), 1)[0].Attributes);
        Assert.Throws<InvalidOperationException>(() => viewed.Remove([7]));
        loaded.Add([8], queries.AsSpan(Dims, Dims));
        Assert.Equal(3_002, loaded.Count);
    }

    [Fact]
    public void concurrent_searches_from_16_threads_do_not_throw()
    {
        var (exact, hnsw, queries) = Build(5_000, 64);
        using var _ = exact;
        using var __ = hnsw;

        var results = new int[16];
        var threads = Enumerable.Range(0, 16).Select(t => new Thread(() =>
        {
            for (var i = 0; i < 200; i++)
            {
                var q = (t * 7 + i) % 64;
                results[t] += hnsw.Search(queries.AsSpan(q * Dims, Dims), 20).Count;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.All(results, r => Assert.Equal(200 * 20, r));
    }

    [Theory]
    [InlineData(HnswStorage.Int8)]
    [InlineData(HnswStorage.Float16)]
    public void a_quantised_graph_returns_the_exact_top_hit_with_its_exact_distance(HnswStorage storage)
    {
        // The graph walks on f16 or i8 vectors, then re-ranks its candidates on float32 copies.
        var (exact, quantised, queries) = Build(2_000, 50, new HnswOptions(ExpansionSearch: 256, Storage: storage));
        using var _ = exact;
        using var __ = quantised;

        Assert.True(quantised.ExactRowsBytes >= 2_000L * Dims * sizeof(float));
        for (var q = 0; q < 50; q++)
        {
            var query = queries.AsSpan(q * Dims, Dims);
            var expected = exact.Search(query, 5);
            var actual = quantised.Search(query, 5);
            Assert.Equal(5, actual.Count);
            Assert.Equal(expected[0].Id, actual[0].Id);
            Assert.Equal(expected[0].Distance, actual[0].Distance);
            var exactById = exact.Search(query, 2_000).ToDictionary(h => h.Id, h => h.Distance);
            Assert.All(actual, hit => Assert.Equal(exactById[hit.Id], hit.Distance));
        }
    }

    [Fact]
    public void a_saved_quantised_index_loads_with_its_storage_and_exact_distances()
    {
        var (exact, index, queries) = Build(1_000, 1, new HnswOptions(Storage: HnswStorage.Int8));
        using var _ = exact;
        var path = Path.Combine(_directory, "faces.usearch");
        Assert.Equal(1, index.Remove([1_010]));
        var before = index.Search(queries, 10);
        index.Save(path);
        index.Dispose();

        using var loaded = HnswVectorIndex.Load(path);
        Assert.Equal(HnswStorage.Int8, loaded.Options.Storage);
        Assert.Equal(999, loaded.Count);
        Assert.Equal(before, loaded.Search(queries, 10));
        Assert.True(File.Exists(HnswVectorIndex.ExactRowsPath(path)));
    }

    [Fact]
    public void storage_names_round_trip_and_unknown_ones_are_refused()
    {
        Assert.All(Enum.GetValues<HnswStorage>(), s => Assert.Equal(s, HnswStorages.Parse(HnswStorages.Name(s))));
        Assert.Equal("unknown HNSW storage 'i4'; expected f32, f16 or i8 (Parameter 'name')", Assert.Throws<ArgumentException>(() => HnswStorages.Parse("i4")).Message);
    }

    [Fact]
    public void the_back_end_records_its_storage_and_old_records_without_one_stay_float32()
    {
        var quantised = new HnswBackEnd(new HnswOptions(Connectivity: 24, Storage: HnswStorage.Float16, RerankCandidates: 80));
        var again = HnswBackEnd.FromSettings(quantised.Settings);
        Assert.Equal(quantised.Options, again.Options);
        Assert.Equal(3, again.SavedFiles(_directory).Count);

        var recordedBeforeQuantisation = new Dictionary<string, string> { ["hnsw.connectivity"] = "16" };
        var old = HnswBackEnd.FromSettings(recordedBeforeQuantisation, faces: 5_000_000);
        Assert.Equal(HnswStorage.Float32, old.Options.Storage);
        Assert.Equal(2, old.SavedFiles(_directory).Count);

        Assert.Equal(HnswStorage.Int8, HnswBackEnd.FromSettings(new Dictionary<string, string>(), faces: 5_000_000).Options.Storage);
        Assert.Equal(new HnswOptions(), VectorBackEnds.Embedded.FromSettings("hnsw", new Dictionary<string, string>(), 1_000).Create(Dims, 1_000) is HnswVectorIndex small ? small.Options : null);
    }
}
