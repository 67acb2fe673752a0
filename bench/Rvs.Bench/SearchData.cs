using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Rvs.Evaluation;
using Rvs.Index;
using Rvs.Pipelines;
using Rvs.Testing;

namespace Rvs.Bench;

/// <summary>
/// The vector sets the search benchmark runs on, and what it hands a peer engine: "uniform", identity centres drawn
/// uniformly on the sphere (the stress case), and "face-like", drawn from the between- and within-person spread of
/// the real LFW embeddings that `rvs eval` cached (read from that cache, never re-embedded here).
/// </summary>
internal static class SearchData
{
    public const string Uniform = "uniform";
    public const string FaceLike = "face-like";
    private const int StatisticsRows = 13_233;

    public static FaceVectorSource Source(string name, int dimensions, EmbeddingSet? lfw)
    {
        switch (name)
        {
            case Uniform:
                return new SyntheticFaceVectors(dimensions, seed: 42);
            case FaceLike:
                var usable = Usable(lfw ?? throw new ArgumentNullException(nameof(lfw)));
                return new FaceLikeVectors(FaceSpread.Fit(usable.Vectors, dimensions, usable.Labels()), seed: 42);
            default:
                throw new ArgumentException($"unknown data set '{name}'; expected {Uniform} or {FaceLike}");
        }
    }

    /// <summary>The cached mtcnn-facenet embeddings of all of LFW, or a one-line error telling how to make them.</summary>
    public static EmbeddingSet LoadLfw(string source)
    {
        using var pipeline = PipelineFactory.Create(PipelineNames.MtcnnFaceNet);
        var cache = new EmbeddingCache(EmbeddingCache.DefaultDirectory());
        return cache.TryLoad(pipeline.Name, pipeline.ModelId, LfwEvaluation.SourceId(source))
            ?? throw new InvalidOperationException(
                $"no cached {pipeline.Name} embeddings of {source} in {cache.DirectoryPath}: run `./rvs eval --pipeline {pipeline.Name}` " +
                "first, or pass --lfw with the path that eval was given");
    }

    /// <summary>
    /// Participation ratio, and same- and different-person cosine (mean ± sd) of the real embeddings and of each
    /// synthetic set, over the same number of rows, so a reader can see how face-like each set is.
    /// </summary>
    public static void PrintStatistics(EmbeddingSet? lfw, IEnumerable<(string Name, FaceVectorSource Source)> sets)
    {
        Console.WriteLine("| vectors | participation ratio | same-person cosine | different-person cosine |");
        Console.WriteLine("|---|---|---|---|");
        if (lfw is not null)
        {
            var usable = Usable(lfw);
            var labels = usable.Labels();
            Statistics("LFW mtcnn-facenet (real)", usable.Vectors, usable.Dimensions, usable.Count, i => labels[i]);
        }

        foreach (var (name, source) in sets)
        {
            var rows = StatisticsRows / source.PerIdentity * source.PerIdentity;
            Statistics(name, source.Vectors(rows), source.Dimensions, rows, i => (i / source.PerIdentity).ToString(CultureInfo.InvariantCulture));
        }

        Console.WriteLine();
    }

    /// <summary>
    /// Writes what bench/faiss_peer.py reads into <paramref name="directory"/>: base.f32 and queries.f32 (row-major
    /// little-endian float32), truth_ids.i64 and truth_similarity.f32 (the exact top k of each query) and meta.json.
    /// </summary>
    public static void WritePeerFiles(string directory, string data, float[] vectors, float[] queries, int dimensions, int k, IReadOnlyList<IReadOnlyList<VectorHit>> truth)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(Path.Combine(directory, "base.f32"), MemoryMarshal.AsBytes(vectors.AsSpan()).ToArray());
        File.WriteAllBytes(Path.Combine(directory, "queries.f32"), MemoryMarshal.AsBytes(queries.AsSpan(0, truth.Count * dimensions)).ToArray());
        var ids = truth.SelectMany(hits => hits.Select(h => h.Id)).ToArray();
        var similarities = truth.SelectMany(hits => hits.Select(h => h.Similarity)).ToArray();
        File.WriteAllBytes(Path.Combine(directory, "truth_ids.i64"), MemoryMarshal.AsBytes(ids.AsSpan()).ToArray());
        File.WriteAllBytes(Path.Combine(directory, "truth_similarity.f32"), MemoryMarshal.AsBytes(similarities.AsSpan()).ToArray());
        File.WriteAllText(Path.Combine(directory, "meta.json"), JsonSerializer.Serialize(new
        {
            data,
            count = vectors.Length / dimensions,
            dimensions,
            queries = truth.Count,
            k,
            match_similarity = SearchBenchmark.SamePersonSimilarity,
        }));
    }

    private static EmbeddingSet Usable(EmbeddingSet set)
    {
        // A photo whose face was not found was embedded from a central crop; it says little about how faces spread.
        var rows = Enumerable.Range(0, set.Count).Where(i => !set.DetectionFailed[i]).ToArray();
        var vectors = rows.SelectMany(i => set.Row(i).ToArray()).ToArray();
        return new EmbeddingSet([.. rows.Select(i => set.Keys[i])], vectors, set.Dimensions, new bool[rows.Length], set.Seconds);
    }

    private static void Statistics(string name, float[] vectors, int dimensions, int count, Func<int, string> personOf)
    {
        var ratio = EmbeddingStatistics.ParticipationRatio(vectors, dimensions, count);
        var same = EmbeddingStatistics.PairCosine(vectors, dimensions, count, personOf, samePerson: true);
        var different = EmbeddingStatistics.PairCosine(vectors, dimensions, count, personOf, samePerson: false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {ratio:F1} of {dimensions} | {same.Mean:F3} ± {same.Sd:F3} | {different.Mean:F3} ± {different.Sd:F3} |"));
    }
}
