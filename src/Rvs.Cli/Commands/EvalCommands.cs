using System.CommandLine;
using System.Globalization;
using Rvs.Errors;
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
        var saveOpenSet = new Option<string?>("--save-open-set") { Description = "Measure the open-set calibration on the calibration half of LFW's people, write it (e.g. models/open-set.json) and measure rvs's threshold by it." };
        var targetFpir = new Option<double>("--target-fpir") { Description = "The share of strangers rvs's open-set threshold may call someone.", DefaultValueFactory = _ => Rvs.Verdicts.OpenSetCalibration.DefaultTargetFpir };
        targetFpir.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is not (> 0 and < 1))
            {
                result.AddError("--target-fpir must lie between 0 and 1 (e.g. 0.01 for 1%)");
            }
        });
        var clustering = ClusteringEval.Option();
        var saveDistances = ClusteringEval.SaveDistancesOption();
        var command = new Command("eval", "Evaluate the pipelines on LFW: retrieval (rank1, hit@20, precision@20, mAP@20), 10-fold pair verification, open-set identification (and, with --clustering, clustering).")
        {
            lfw, pairs, pipeline, index, output, noCache, withPlain, saveThresholds, saveOpenSet, targetFpir, clustering, saveDistances,
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
                TargetFpir = parse.GetValue(targetFpir),
            };
            var results = new List<PipelineResult>();
            var notes = new List<string>(); // printed after the progress display, which owns the console while it runs
            var variants = names.SelectMany(name => name == PipelineNames.MtcnnFaceNet && parse.GetValue(withPlain)
                ? new[] { (Name: name, Mirror: true), (Name: name, Mirror: false) }
                : [(Name: name, Mirror: true)]);
            foreach (var (name, withMirror) in variants)
            {
                using var embedder = PipelineFactory.Create(name, addMirror: withMirror);
                var row = name == PipelineNames.MtcnnFaceNet && !withMirror ? name + "-plain" : name;
                var calibrated = options with { OpenSetCalibrationFor = (modelId, gallery) => OpenSetCalibrationFor(row, modelId, gallery, parse.GetValue(saveOpenSet), notes) };
                var result = Progress.Run($"embedding LFW ({row})", progress => LfwEvaluation.Evaluate(embedder, calibrated, progress, cancel));
                results.Add(result with { Pipeline = row });
            }

            var run = EvaluationReport.CreateRun("rvs " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)), parse.GetValue(index)!, results);
            var (json, markdown, plot) = EvaluationReport.Write(parse.GetValue(output)!, run);
            PrintTable(results);
            PrintOpenSet(results);
            notes.ForEach(note => Progress.Console.MarkupLine(note));
            Progress.Console.MarkupLineInterpolated($"wrote [bold]{json}[/] and [bold]{markdown}[/]{(plot is null ? "" : " and " + plot)}");
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
        var face1 = new Option<int?>("--face1") { Description = "Which face of photo1 (0 = largest, as `rvs detect` numbers them; default 0)." };
        var face2 = new Option<int?>("--face2") { Description = "Which face of photo2 (default 0, the largest)." };
        var command = new Command("verify", "Decide whether two photos show the same person, by the threshold measured on LFW.") { first, second, face1, face2, json };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            using var embedder = PipelineFactory.Create(PipelineNames.MtcnnFaceNet);
            var threshold = VerificationThresholds.Find(VerificationThresholds.DefaultPath, embedder.ModelId);
            if (threshold is null)
            {
                throw new NotFoundException($"no threshold measured for {embedder.ModelId}; run './rvs eval --pipeline {embedder.Name} --save-thresholds models/{VerificationThresholds.FileName}'");
            }

            var a = ChosenFace(embedder, parse.GetValue(first)!, parse.GetValue(face1));
            var b = ChosenFace(embedder, parse.GetValue(second)!, parse.GetValue(face2));
            var distance = Rvs.Embedding.VectorMath.Distance(a.Embedding, b.Embedding);
            var same = distance < threshold.Threshold;
            if (parse.GetValue(json))
            {
                JsonOutput.Print(new System.Text.Json.Nodes.JsonObject
                {
                    ["same_person"] = same,
                    ["distance"] = Math.Round(distance, 4),
                    ["threshold"] = Math.Round(threshold.Threshold, 4),
                    ["threshold_accuracy"] = Math.Round(threshold.Accuracy, 4),
                    ["photo1"] = a.Json(),
                    ["photo2"] = b.Json(),
                });
            }
            else
            {
                Console.WriteLine($"compared {a.Describe(parse.GetValue(first)!.Name)} with {b.Describe(parse.GetValue(second)!.Name)}");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{(same ? "same person" : "different people")}: distance {distance:0.000} {(same ? "<" : "≥")} threshold {threshold.Threshold:0.000} (chosen on LFW pairs, where it is {threshold.Accuracy:P2} accurate)"));
            }

            return 0;
        }));
        return command;
    }

    /// <summary>One face of a photo as verify compared it: its number, how many faces the photo had, and where it is.</summary>
    private sealed record ComparedFace(int Face, int Faces, Rvs.Detection.DetectedFace Detected, Rvs.Embedding.FaceEmbedding Embedding)
    {
        public string Describe(string name) => Faces == 1 ? $"the only face of {name}" : $"face {Face} of {Faces} in {name}";

        public System.Text.Json.Nodes.JsonObject Json()
        {
            var json = JsonOutput.Face(Detected);
            json["face"] = Face;
            json["faces_in_photo"] = Faces;
            return json;
        }
    }

    private static ComparedFace ChosenFace(IEmbeddingPipeline embedder, FileInfo file, int? requested)
    {
        var faces = embedder.Embed(ImageDecoder.DecodeFile(file.FullName));
        if (faces.Count == 0)
        {
            throw new NoFaceException($"no face found in {file.FullName}");
        }

        var face = Rvs.Search.PhotoSearch.ChooseFace(requested, faces.Count);
        return new ComparedFace(face, faces.Count, faces[face].Face, faces[face].Embedding);
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

    /// <summary>
    /// The calibration rvs's own threshold is measured by: freshly measured on the calibration half and saved when
    /// asked to, else the one shipped beside the models; null (own-threshold figures left out) when there is none.
    /// </summary>
    private static Rvs.Verdicts.OpenSetCalibration? OpenSetCalibrationFor(string row, string modelId, OpenSetGallery gallery, string? savePath, List<string> notes)
    {
        if (savePath is null)
        {
            var shipped = Rvs.Verdicts.OpenSetCalibration.Find(Rvs.Verdicts.OpenSetCalibration.DefaultPath, modelId);
            if (shipped is null)
            {
                notes.Add(Markup.Escape($"no open-set calibration for {row} ({modelId}); its own-threshold figures are left out (--save-open-set measures one)"));
            }

            return shipped;
        }

        var calibration = OpenSetCalibrator.MeasureOnCalibrationHalf(gallery, modelId);
        Rvs.Verdicts.OpenSetCalibration.Save(savePath, row, calibration);
        notes.Add($"wrote the open-set calibration of {Markup.Escape(row)} to [bold]{Markup.Escape(savePath)}[/]");
        return calibration;
    }

    private static void PrintOpenSet(IReadOnlyList<PipelineResult> results)
    {
        var table = new Table().AddColumns("pipeline", "gallery faces", "rvs threshold", "FPIR", "FNIR", "FNIR at FPIR 1%", "FNIR at FPIR 0.1%");
        foreach (var r in results.Where(r => r.OpenSet is not null))
        {
            var open = r.OpenSet!;
            var rows = open.Calibration.Count > 0 ? open.Calibration : [null!];
            foreach (var c in rows)
            {
                table.AddRow(r.Pipeline, c is null ? "–" : $"{c.GalleryFaces:N0}", c is null ? "–" : $"{c.Distance:0.000}", c is null ? "–" : $"{c.Fpir:P2}",
                    c is null ? "–" : $"{c.Fnir:P2}", $"{open.FnirAtFpir1Pct:P2}", $"{open.FnirAtFpir01Pct:P2}");
            }
        }

        AnsiConsole.Write(table);
    }

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
