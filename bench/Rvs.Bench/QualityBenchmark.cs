using Rvs.Catalog;
using Rvs.Evaluation;
using Rvs.Pipelines;

namespace Rvs.Bench;

/// <summary>
/// What leaving low-quality faces out of results (<see cref="FaceQuality"/>) costs on an LFW collection built with
/// `rvs index` (e.g. the one `Rvs.Bench labels` makes): how many faces the floor flags, how many of them are LFW's
/// subjects (the face nearest the photo's centre, as EVALUATION.md picks it), and the closed-set figures of
/// EVALUATION.md on the subjects' stored embeddings with every face in the gallery and with the flagged ones left out.
/// Photos without a central face are left out of both runs (rvs eval embeds a central crop for those instead).
/// </summary>
internal static class QualityBenchmark
{
    public static int Run(string[] args)
    {
        var directory = BenchArguments.Value(args, "--collection") ?? throw new ArgumentException("--collection DIR is required (an LFW collection)");
        using var collection = FaceCollection.Open(directory);
        var dimensions = collection.Settings.Pipeline.Dimensions;
        var keys = new List<string>();
        var vectors = new List<float>();
        var low = new List<bool>();
        var allFaces = 0;
        var allLow = 0;
        foreach (var image in collection.GetImages(ImageStatus.Indexed))
        {
            var faces = collection.GetFaces(image.ImageId);
            allFaces += faces.Count;
            allLow += faces.Count(f => FaceQuality.IsLow(f.Box, f.Score));
            var subject = Subject(faces, image);
            if (subject is null)
            {
                continue;
            }

            keys.Add(image.Entry);
            vectors.AddRange(collection.GetEmbedding(subject.FaceId)!);
            low.Add(FaceQuality.IsLow(subject.Box, subject.Score));
        }

        var labels = keys.Select(k => LfwPairs.LabelOfKey(LfwPairs.KeyOfPath(k))).ToList();
        var matrix = vectors.ToArray();
        var flagged = low.Count(l => l);
        var queries = Enumerable.Range(0, keys.Count).ToList();
        var neighbours = RetrievalMetrics.ExactNeighbours(matrix, dimensions, queries, RetrievalMetrics.K + flagged + 1);
        var every = RetrievalMetrics.Evaluate(matrix, dimensions, labels, (q, k) => neighbours[q].Take(k).ToList());
        var kept = RetrievalMetrics.Evaluate(matrix, dimensions, labels, (q, k) => neighbours[q].Where(n => !low[n]).Take(k).ToList());
        Console.WriteLine($"{allFaces} faces, {allLow} low quality ({100.0 * allLow / allFaces:0.00}%; floor: side < {FaceQuality.MinimumSide} px or score < {FaceQuality.MinimumScore}); " +
                          $"{keys.Count} photos with a central face, of which {flagged} low quality");
        Console.WriteLine($"every face in the gallery:   rank1 {100 * every.Rank1:0.00}%, hit@20 {100 * every.Hit20:0.00}%, precision@20 {100 * every.Precision20:0.00}%, mAP@20 {100 * every.Map20:0.00}% over {every.Queries} queries");
        Console.WriteLine($"low-quality faces left out:  rank1 {100 * kept.Rank1:0.00}%, hit@20 {100 * kept.Hit20:0.00}%, precision@20 {100 * kept.Precision20:0.00}%, mAP@20 {100 * kept.Map20:0.00}% over {kept.Queries} queries");
        return 0;
    }

    private static FaceRecord? Subject(IReadOnlyList<FaceRecord> faces, ImageRecord image) =>
        image is { Width: { } width, Height: { } height } ? LfwSubjects.Of(faces, f => f.Box, width, height) : null;
}
