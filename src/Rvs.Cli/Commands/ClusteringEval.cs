using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Rvs.Evaluation;
using Rvs.Index;
using Rvs.People;
using Rvs.Pipelines;
using Spectre.Console;

namespace Rvs.Cli.Commands;

/// <summary>`rvs eval --clustering`: group all of LFW into persons and score the groups against LFW's names.</summary>
internal static class ClusteringEval
{
    public static Option<bool> Option() => new("--clustering")
    {
        Description = "Also cluster every LFW image into persons (mtcnn-facenet) and score pairwise and BCubed precision/recall/F.",
    };

    public static Option<string?> SaveDistancesOption() => new("--save-distances")
    {
        Description = "With --clustering: first measure the same/different-person distance distributions on all LFW pairs and write them (e.g. models/face-distances.json).",
    };

    /// <summary>Runs the clustering evaluation and adds its figures to the run's results.json and results.md.</summary>
    public static void Run(LfwEvaluationOptions options, string jsonPath, string markdownPath, string? saveDistances, string index, CancellationToken cancel)
    {
        using var pipeline = PipelineFactory.Create(PipelineNames.MtcnnFaceNet);
        var set = Progress.Run($"embedding LFW ({pipeline.Name})", progress => LfwEvaluation.EmbedOrLoad(pipeline, options, progress, cancel));
        if (saveDistances is not null)
        {
            var command = "rvs " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
            var measured = DistanceMeasurement.Measure(set, pipeline.ModelId, $"LFW, all {set.Count:N0} images, every pair, {DateTime.UtcNow:yyyy-MM-dd}", command);
            measured.Save(saveDistances);
            Progress.Console.MarkupLineInterpolated($"wrote distance distributions ({measured.SamePairs:N0} same-person, {measured.DifferentPairs:N0} different-person pairs) to [bold]{saveDistances}[/]");
        }

        var kind = index == "hnsw" ? HnswBackEnd.KindName : ExactBackEnd.KindName;
        var clusteringOptions = MeasuredClusteringOptions.ForModel(pipeline.ModelId, set.Count, saveDistances);
        var distances = DistanceDistributions.Find(saveDistances ?? DistanceDistributions.DefaultPath, pipeline.ModelId)!;
        var result = LfwClustering.Evaluate(set, clusteringOptions, kind);
        Print("every LFW image", result);

        // The same rule with its link distance read from one half of the identities, scored on the other half.
        var labels = set.Labels();
        var half = DistanceMeasurement.Measure(set, pipeline.ModelId, "LFW, first half of the identities", "", i => LfwClustering.InFirstHalf(labels[i]));
        var other = LfwClustering.Subset(set, i => !LfwClustering.InFirstHalf(labels[i]));
        var heldOut = LfwClustering.Evaluate(other, ClusteringThresholds.Derive(half, clusteringOptions.MergeDistance, other.Count), kind);
        Print("held-out half (link distance from the other half)", heldOut);
        AddToReport(jsonPath, markdownPath, result, heldOut, distances.SamePersonBelow(clusteringOptions.LinkDistance));
        Progress.Console.MarkupLineInterpolated($"added clustering to [bold]{jsonPath}[/] and [bold]{markdownPath}[/]");
    }

    private static void Print(string title, ClusteringEvaluation result)
    {
        AnsiConsole.WriteLine(title);
        var table = new Table().AddColumns("run", "pairwise P", "pairwise R", "pairwise F", "BCubed P", "BCubed R", "BCubed F", "mixed clusters", "clusters");
        foreach (var (name, s) in new[] { ("full", result.Full), ($"incremental (+{result.Added})", result.Incremental), ("baseline: DBSCAN 1.0, 3 faces", result.DbscanBaseline) })
        {
            table.AddRow(name, $"{s.PairwisePrecision:P2}", $"{s.PairwiseRecall:P2}", $"{s.PairwiseF:P2}", $"{s.BCubedPrecision:P2}",
                $"{s.BCubedRecall:P2}", $"{s.BCubedF:P2}", $"{s.MixedClusterShare:P2}", $"{s.Clusters}");
        }

        AnsiConsole.Write(table);
        AnsiConsole.WriteLine(Invariant(
            $"link distance {result.Options.LinkDistance:0.000}, merge distance {result.Options.MergeDistance:0.000}; {result.IndexKind} index built in {result.IndexBuildSeconds:0.00} s; clustered in {result.ClusterSeconds:0.00} s; adding one face: median {result.AddMedianMilliseconds:0.00} ms, max {result.AddMaxMilliseconds:0.00} ms over {result.Added}; incremental vs full grouping: pairwise F {result.IncrementalAgreement:P2}"));
    }

    private static void AddToReport(string jsonPath, string markdownPath, ClusteringEvaluation result, ClusteringEvaluation heldOut, double sameBelowLink)
    {
        var json = JsonNode.Parse(File.ReadAllText(jsonPath))!.AsObject();
        var full = result.Full;
        json["clustering"] = new JsonObject
        {
            ["pairwise_precision"] = full.PairwisePrecision,
            ["pairwise_recall"] = full.PairwiseRecall,
            ["pairwise_f"] = full.PairwiseF,
            ["bcubed_precision"] = full.BCubedPrecision,
            ["bcubed_recall"] = full.BCubedRecall,
            ["bcubed_f"] = full.BCubedF,
            ["mixed_cluster_share"] = full.MixedClusterShare,
            ["clusters"] = full.Clusters,
            ["images"] = full.Items,
            ["index"] = result.IndexKind,
            ["link_distance"] = result.Options.LinkDistance,
            ["merge_distance"] = result.Options.MergeDistance,
            ["same_person_pairs_below_link"] = sameBelowLink,
            ["cluster_seconds"] = result.ClusterSeconds,
            ["index_build_seconds"] = result.IndexBuildSeconds,
            ["add_one_face_median_ms"] = result.AddMedianMilliseconds,
            ["add_one_face_max_ms"] = result.AddMaxMilliseconds,
            ["added_faces"] = result.Added,
            ["incremental_pairwise_f"] = result.Incremental.PairwiseF,
            ["incremental_bcubed_f"] = result.Incremental.BCubedF,
            ["incremental_mixed_cluster_share"] = result.Incremental.MixedClusterShare,
            ["incremental_agreement_pairwise_f"] = result.IncrementalAgreement,
            ["dbscan_baseline"] = new JsonObject
            {
                ["pairwise_f"] = result.DbscanBaseline.PairwiseF,
                ["bcubed_f"] = result.DbscanBaseline.BCubedF,
                ["mixed_cluster_share"] = result.DbscanBaseline.MixedClusterShare,
            },
            ["held_out"] = new JsonObject
            {
                ["images"] = heldOut.Full.Items,
                ["link_distance"] = heldOut.Options.LinkDistance,
                ["pairwise_f"] = heldOut.Full.PairwiseF,
                ["bcubed_f"] = heldOut.Full.BCubedF,
                ["mixed_cluster_share"] = heldOut.Full.MixedClusterShare,
            },
        };
        File.WriteAllText(jsonPath, json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");

        var s = result.Full;
        var i = result.Incremental;
        var b = result.DbscanBaseline;
        File.AppendAllText(markdownPath, Invariant($"""

            ## Clustering (mtcnn-facenet, every LFW image)

            | run | pairwise P | pairwise R | pairwise F | BCubed P | BCubed R | BCubed F | mixed clusters | clusters |
            |---|---:|---:|---:|---:|---:|---:|---:|---:|
            | full | {s.PairwisePrecision:P2} | {s.PairwiseRecall:P2} | {s.PairwiseF:P2} | {s.BCubedPrecision:P2} | {s.BCubedRecall:P2} | {s.BCubedF:P2} | {s.MixedClusterShare:P2} | {s.Clusters} |
            | incremental (+{result.Added}) | {i.PairwisePrecision:P2} | {i.PairwiseRecall:P2} | {i.PairwiseF:P2} | {i.BCubedPrecision:P2} | {i.BCubedRecall:P2} | {i.BCubedF:P2} | {i.MixedClusterShare:P2} | {i.Clusters} |
            | baseline: DBSCAN (L2 1.0, 3 faces) | {b.PairwisePrecision:P2} | {b.PairwiseRecall:P2} | {b.PairwiseF:P2} | {b.BCubedPrecision:P2} | {b.BCubedRecall:P2} | {b.BCubedF:P2} | {b.MixedClusterShare:P2} | {b.Clusters} |

            Link distance {result.Options.LinkDistance:0.000}, merge distance {result.Options.MergeDistance:0.000}; {result.IndexKind} index
            built in {result.IndexBuildSeconds:0.00} s; all images clustered in {result.ClusterSeconds:0.00} s; adding one face to the
            clustered collection (index insert + placement): median {result.AddMedianMilliseconds:0.00} ms, max {result.AddMaxMilliseconds:0.00} ms over {result.Added}; the incremental
            grouping agrees with the full run's at pairwise F {result.IncrementalAgreement:P2}.

            Held out: the link distance read from the distances of one half of the identities ({heldOut.Options.LinkDistance:0.000}), the
            other half's {heldOut.Full.Items} images clustered with it: pairwise F {heldOut.Full.PairwiseF:P2}, BCubed F {heldOut.Full.BCubedF:P2},
            mixed clusters {heldOut.Full.MixedClusterShare:P2}.

            """));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
