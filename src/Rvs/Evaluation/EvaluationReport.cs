using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rvs.Evaluation;

/// <summary>One <c>rvs eval</c> run: what was run, where, when, and the figures of each pipeline.</summary>
public sealed record EvaluationRun(
    [property: JsonPropertyName("command")] string Command,
    [property: JsonPropertyName("commit")] string? Commit,
    [property: JsonPropertyName("cores")] int Cores,
    [property: JsonPropertyName("date")] DateTimeOffset Date,
    [property: JsonPropertyName("index")] string Index,
    [property: JsonPropertyName("pipelines")] IReadOnlyList<PipelineResult> Pipelines);

/// <summary>Writes an evaluation as results.json (for machines) and results.md (for people).</summary>
public static class EvaluationReport
{
    /// <summary>
    /// The original report's accuracy per pipeline (EVALUATION.md: resnet 9%, mtcnn-resnet 12%, mtcnn-facenet 62%).
    /// It never defined that accuracy; rank1 is its closest match.
    /// </summary>
    public static IReadOnlyDictionary<string, double> ReportFigures { get; } = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["resnet"] = 0.09,
        ["mtcnn-resnet"] = 0.12,
        ["mtcnn-facenet"] = 0.62,
    };

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>A run stamped with this machine's cores, the current commit (when in a git checkout) and the time now.</summary>
    public static EvaluationRun CreateRun(string command, string index, IReadOnlyList<PipelineResult> pipelines) =>
        new(command, GitCommit(), Environment.ProcessorCount, DateTimeOffset.UtcNow, index, pipelines);

    /// <summary>
    /// Writes results.json and results.md into <paramref name="directory"/>, and the open-set DET plot beside them
    /// when a pipeline has open-set figures; returns their paths (the plot's null when there is none).
    /// </summary>
    public static (string JsonPath, string MarkdownPath, string? PlotPath) Write(string directory, EvaluationRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        Directory.CreateDirectory(directory);
        var json = Path.Combine(directory, "results.json");
        var markdown = Path.Combine(directory, "results.md");
        var plot = DetPlot.Write(directory, run.Pipelines);
        File.WriteAllText(json, ToJson(run));
        File.WriteAllText(markdown, ToMarkdown(run));
        return (json, markdown, plot);
    }

    public static string ToJson(EvaluationRun run) => JsonSerializer.Serialize(run, JsonOptions) + "\n";

    public static string ToMarkdown(EvaluationRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var md = new StringBuilder();
        md.AppendLine("# rvs evaluation on LFW").AppendLine();
        md.AppendLine(Invariant($"- command: `{run.Command}`"));
        md.AppendLine(Invariant($"- commit: {run.Commit ?? "unknown"}"));
        md.AppendLine(Invariant($"- cores: {run.Cores}"));
        md.AppendLine(Invariant($"- date: {run.Date.ToUniversalTime():yyyy-MM-dd HH:mm:ss} UTC"));
        md.AppendLine(Invariant($"- index: {run.Index}")).AppendLine();
        md.AppendLine("| pipeline | report | rank1 | hit@20 | precision@20 | mAP@20 | verification | threshold | detection failures | images/s |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var p in run.Pipelines)
        {
            var report = ReportFigures.TryGetValue(p.Pipeline, out var figure) ? Percent(figure, 0) : "–";
            var verification = $"{Percent(p.VerificationAccuracy)} ± {Percent(p.VerificationStd)}";
            md.AppendLine(Invariant(
                $"| {p.Pipeline} | {report} | {Percent(p.Rank1)} | {Percent(p.Hit20)} | {Percent(p.Precision20)} | {Percent(p.Map20)} | {verification} | {p.VerificationThreshold:0.000} | {p.DetectionFailures} / {p.Images} | {p.ImagesPerSecond:0.0} |"));
        }

        md.AppendLine();
        md.AppendLine("\"report\" is the original report's undefined \"accuracy\"; rank1 is its closest match. Retrieval: every image in "
            + "the gallery, every image whose person has another image as a query, the query excluded from its results; "
            + "precision@20 and mAP@20 are divided by min(20, other images of the person). Verification: the 6,000 pairs "
            + "of pairs.txt, threshold chosen on 9 folds and applied to the 10th; mean ± population standard deviation "
            + "over the 10 folds, and the mean threshold (L2 distance between unit vectors).");
        OpenSetReport.AppendMarkdown(md, run.Pipelines);
        return md.ToString();
    }

    /// <summary>The commit checked out in the current directory, or null where there is no git or no repository.</summary>
    public static string? GitCommit(string? workingDirectory = null)
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", "rev-parse HEAD")
            {
                WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (git is null)
            {
                return null;
            }

            var output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 && output.Length > 0 ? output : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Two decimals by default: the pipelines worth comparing differ in the second one.</summary>
    private static string Percent(double fraction, int decimals = 2) =>
        (fraction * 100).ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) + "%";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
