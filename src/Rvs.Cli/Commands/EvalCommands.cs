using System.CommandLine;
using System.Globalization;
using Rvs.Evaluation;
using Rvs.Imaging;
using Rvs.Pipelines;
using Spectre.Console;

namespace Rvs.Cli.Commands;

/// <summary>`rvs eval` (the report's comparison, measured) and `rvs verify` (same person or not).</summary>
internal static class EvalCommands
{
    public static Command Eval()
    {
        var lfw = new Option<string>("--lfw") { Description = "lfw.tgz or an extracted LFW folder.", DefaultValueFactory = _ => DataLocations.DefaultLfw };
        var pairs = new Option<string>("--pairs") { Description = "The official pairs.txt.", DefaultValueFactory = _ => DataLocations.DefaultPairs };
        var pipeline = new Option<string>("--pipeline", "-p") { Description = "Which pipeline(s) to evaluate.", DefaultValueFactory = _ => "all" }
            .AcceptOnlyFromAmong(["all", .. PipelineNames.All]);
        var index = new Option<string>("--index") { Description = "Neighbour search for retrieval: exact (ground truth) or hnsw.", DefaultValueFactory = _ => "exact" }
            .AcceptOnlyFromAmong("exact", "hnsw");
        var output = new Option<string>("--out") { Description = "Folder for results.json and results.md.", DefaultValueFactory = _ => "eval-results" };
        var noCache = new Option<bool>("--no-cache") { Description = "Embed again even if cached embeddings exist." };
        var withPlain = new Option<bool>("--with-plain") { Description = "Also evaluate mtcnn-facenet without its mirror-image augmentation, as an extra row (mtcnn-facenet-plain)." };
        var saveThresholds = new Option<string?>("--save-thresholds") { Description = "Also write the same-person thresholds found (e.g. models/verification.json)." };
        var clustering = ClusteringEval.Option();
        var saveDistances = ClusteringEval.SaveDistancesOption();
        var command = new Command("eval", "Evaluate the pipelines on LFW: retrieval (rank1, hit@20, precision@20, mAP@20) and 10-fold pair verification.")
        {
            lfw, pairs, pipeline, index, output, noCache, withPlain, saveThresholds, clustering, saveDistances,
        };
        command.SetAction((parse, cancel) => CliErrors.Run(() =>
        {
            var names = parse.GetValue(pipeline) == "all" ? PipelineNames.All : [parse.GetValue(pipeline)!];
            var options = new LfwEvaluationOptions
            {
                Source = parse.GetValue(lfw)!,
                PairsPath = parse.GetValue(pairs)!,
                Cache = parse.GetValue(noCache) ? null : new EmbeddingCache(EmbeddingCache.DefaultDirectory()),
                SearchFactory = SearchFor(parse.GetValue(index)!),
            };
            var results = new List<PipelineResult>();
            var variants = names.SelectMany(name => name == PipelineNames.MtcnnFaceNet && parse.GetValue(withPlain)
                ? new[] { (Name: name, Mirror: true), (Name: name, Mirror: false) }
                : [(Name: name, Mirror: true)]);
            foreach (var (name, withMirror) in variants)
            {
                using var embedder = PipelineFactory.Create(name, addMirror: withMirror);
                var row = name == PipelineNames.MtcnnFaceNet && !withMirror ? name + "-plain" : name;
                var result = Progress.Run($"embedding LFW ({row})", progress => LfwEvaluation.Evaluate(embedder, options, progress, cancel));
                results.Add(result with { Pipeline = row });
            }

            var run = EvaluationReport.CreateRun("rvs " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)), parse.GetValue(index)!, results);
            var (json, markdown) = EvaluationReport.Write(parse.GetValue(output)!, run);
            PrintTable(results);
            Progress.Console.MarkupLineInterpolated($"wrote [bold]{json}[/] and [bold]{markdown}[/]");
            if (parse.GetValue(saveThresholds) is { } thresholds)
            {
                VerificationThresholds.Save(thresholds, results, $"LFW pairs.txt, 6,000 pairs, {DateTime.UtcNow:yyyy-MM-dd}");
                Progress.Console.MarkupLineInterpolated($"wrote thresholds to [bold]{thresholds}[/]");
            }

            if (parse.GetValue(clustering))
            {
                ClusteringEval.Run(options, json, markdown, parse.GetValue(saveDistances), parse.GetValue(index)!, cancel);
            }

            return Task.FromResult(0);
        }));
        return command;
    }

    public static Command Verify()
    {
        var first = new Argument<FileInfo>("photo1") { Description = "A photo of a face." };
        var second = new Argument<FileInfo>("photo2") { Description = "Another photo of a face." };
        var json = FaceCommands.JsonOption();
        var command = new Command("verify", "Decide whether two photos show the same person, by the threshold measured on LFW.") { first, second, json };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            using var embedder = PipelineFactory.Create(PipelineNames.MtcnnFaceNet);
            var threshold = VerificationThresholds.Find(VerificationThresholds.DefaultPath, embedder.ModelId);
            if (threshold is null)
            {
                throw new InvalidOperationException($"no threshold measured for {embedder.ModelId}; run './rvs eval --pipeline {embedder.Name} --save-thresholds models/{VerificationThresholds.FileName}'");
            }

            var a = LargestFace(embedder, parse.GetValue(first)!);
            var b = LargestFace(embedder, parse.GetValue(second)!);
            var distance = Rvs.Embedding.VectorMath.Distance(a, b);
            var same = distance < threshold.Threshold;
            if (parse.GetValue(json))
            {
                JsonOutput.Print(new System.Text.Json.Nodes.JsonObject
                {
                    ["same_person"] = same,
                    ["distance"] = Math.Round(distance, 4),
                    ["threshold"] = Math.Round(threshold.Threshold, 4),
                    ["threshold_accuracy"] = Math.Round(threshold.Accuracy, 4),
                });
            }
            else
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{(same ? "same person" : "different people")}: distance {distance:0.000} {(same ? "<" : "≥")} threshold {threshold.Threshold:0.000} (chosen on LFW pairs, where it is {threshold.Accuracy:P2} accurate)"));
            }

            return 0;
        }));
        return command;
    }

    private static float[] LargestFace(IEmbeddingPipeline embedder, FileInfo file)
    {
        var faces = embedder.Embed(ImageDecoder.DecodeFile(file.FullName));
        return faces.Count > 0 ? faces[0].Embedding : throw new InvalidOperationException($"no face found in {file.FullName}");
    }

    /// <summary>Exact search is the evaluation's own; hnsw runs the same retrieval through the HNSW back end rvs serves with.</summary>
    private static Func<EmbeddingSet, NeighbourSearch>? SearchFor(string index) => index switch
    {
        "exact" => null,
        _ => set =>
        {
            var hnsw = new Rvs.Index.HnswVectorIndex(set.Dimensions);
            hnsw.Add([.. Enumerable.Range(0, set.Count).Select(i => (long)i)], set.Vectors);
            return (query, k) => [.. hnsw.Search(set.Row(query), k).Select(h => (int)h.Id)];
        },
    };

    private static void PrintTable(IReadOnlyList<PipelineResult> results)
    {
        var table = new Table().AddColumns("pipeline", "rank1", "hit@20", "precision@20", "mAP@20", "verification", "detection failures", "images/s", "report");
        foreach (var r in results)
        {
            var report = EvaluationReport.ReportFigures.TryGetValue(r.Pipeline, out var figure) ? $"{figure:P0}" : "";
            table.AddRow(r.Pipeline, $"{r.Rank1:P2}", $"{r.Hit20:P2}", $"{r.Precision20:P2}", $"{r.Map20:P2}",
                $"{r.VerificationAccuracy:P2} ± {r.VerificationStd:P2}", $"{r.DetectionFailures}", $"{r.ImagesPerSecond:0.0}", report);
        }

        AnsiConsole.Write(table);
    }
}
