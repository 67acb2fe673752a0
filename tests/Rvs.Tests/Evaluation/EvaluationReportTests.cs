using System.Text.Json;
using Rvs.Evaluation;

namespace Rvs.Tests.Evaluation;

public sealed class EvaluationReportTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "rvs-report-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static EvaluationRun Run() => new(
        "rvs eval --data ../shared/data/lfw.tgz",
        "0123456789abcdef",
        16,
        new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero),
        "exact",
        [
            new PipelineResult("resnet", 0.1234, 0.5, 0.25, 0.2, 0.7, 0.0123, 0.9, 0, 13233, 120.5, 109.8),
            new PipelineResult("mtcnn-facenet", 0.95, 0.99, 0.9, 0.88, 0.991, 0.004, 1.1, 17, 13233, 45.2, 292.8),
        ]);

    [Fact]
    public void the_json_carries_every_figure_under_its_snake_case_name()
    {
        using var json = JsonDocument.Parse(EvaluationReport.ToJson(Run()));
        var root = json.RootElement;

        Assert.Equal("rvs eval --data ../shared/data/lfw.tgz", root.GetProperty("command").GetString());
        Assert.Equal("0123456789abcdef", root.GetProperty("commit").GetString());
        Assert.Equal(16, root.GetProperty("cores").GetInt32());
        Assert.Equal("exact", root.GetProperty("index").GetString());
        Assert.StartsWith("2026-11-27T12:00:00", root.GetProperty("date").GetString(), StringComparison.Ordinal);
        var resnet = root.GetProperty("pipelines")[0];
        Assert.Equal("resnet", resnet.GetProperty("pipeline").GetString());
        Assert.Equal(0.1234, resnet.GetProperty("rank1").GetDouble());
        Assert.Equal(0.5, resnet.GetProperty("hit20").GetDouble());
        Assert.Equal(0.25, resnet.GetProperty("precision20").GetDouble());
        Assert.Equal(0.2, resnet.GetProperty("map20").GetDouble());
        Assert.Equal(0.7, resnet.GetProperty("verification_accuracy").GetDouble());
        Assert.Equal(0.0123, resnet.GetProperty("verification_std").GetDouble());
        Assert.Equal(0, resnet.GetProperty("detection_failures").GetInt32());
        Assert.Equal(120.5, resnet.GetProperty("images_per_second").GetDouble());
    }

    [Fact]
    public void the_markdown_table_sets_the_reports_figure_beside_ours()
    {
        var markdown = EvaluationReport.ToMarkdown(Run());

        Assert.Contains("| pipeline | report | rank1 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| resnet | 9% | 12.34% | 50.00% | 25.00% | 20.00% | 70.00% ± 1.23% |", markdown, StringComparison.Ordinal);
        Assert.Contains("| mtcnn-facenet | 62% | 95.00% |", markdown, StringComparison.Ordinal);
        Assert.Contains("| 17 / 13233 |", markdown, StringComparison.Ordinal);
        Assert.Contains("0123456789abcdef", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void writing_a_run_leaves_results_json_and_results_md()
    {
        var (json, markdown, plot) = EvaluationReport.Write(_directory, Run());

        Assert.Null(plot); // no pipeline of this run has open-set figures
        Assert.Equal(Path.Combine(_directory, "results.json"), json);
        Assert.Equal(Path.Combine(_directory, "results.md"), markdown);
        Assert.Equal(EvaluationReport.ToJson(Run()), File.ReadAllText(json));
        Assert.StartsWith("# rvs evaluation on LFW", File.ReadAllText(markdown), StringComparison.Ordinal);
    }

    [Fact]
    public void open_set_figures_go_under_open_set_in_the_json_into_a_table_and_onto_a_det_plot()
    {
        var check = new OpenSetMeasurement(9164, 0.01, 0.93, 0.011, 0.042, 2000, 4500);
        var openSet = new OpenSetResult(check, 0.038, 0.081, [check with { GalleryFaces = 1000, Fpir = 0.009 }, check])
        {
            Det = [new(0.5, 0, 1), new(0.8, 0.001, 0.2), new(0.9, 0.01, 0.04), new(1.0, 0.1, 0.01), new(2, 1, 0.005)],
        };
        var run = Run() with { Pipelines = [Run().Pipelines[1] with { OpenSet = openSet }] };

        var (json, markdown, plot) = EvaluationReport.Write(_directory, run);

        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var open = document.RootElement.GetProperty("pipelines")[0].GetProperty("open_set");
        Assert.Equal(0.93, open.GetProperty("own_threshold").GetProperty("distance").GetDouble());
        Assert.Equal(0.011, open.GetProperty("own_threshold").GetProperty("fpir").GetDouble());
        Assert.Equal(0.042, open.GetProperty("own_threshold").GetProperty("fnir").GetDouble());
        Assert.Equal(0.038, open.GetProperty("fnir_at_fpir_1pct").GetDouble());
        Assert.Equal(0.081, open.GetProperty("fnir_at_fpir_0_1pct").GetDouble());
        Assert.Equal([1000, 9164], open.GetProperty("calibration").EnumerateArray().Select(c => c.GetProperty("gallery_faces").GetInt32()));
        Assert.False(open.TryGetProperty("Det", out _));

        var text = File.ReadAllText(markdown);
        Assert.Contains("| mtcnn-facenet | 0.930 (9,164) | 1.10% | 4.20% | 3.80% | 8.10% |", text, StringComparison.Ordinal);
        Assert.Contains("| mtcnn-facenet | 1,000 | 0.930 | 1.00% | 0.90% | 4.20% | 2,000 | 4,500 |", text, StringComparison.Ordinal);

        Assert.Equal(Path.Combine(_directory, DetPlot.FileName), plot);
        using var image = SkiaSharp.SKBitmap.Decode(plot);
        Assert.Equal((900, 700), (image.Width, image.Height));
    }
}
