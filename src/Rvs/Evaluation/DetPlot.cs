using System.Globalization;
using ScottPlot;

namespace Rvs.Evaluation;

/// <summary>
/// Draws the open-set DET curves (FNIR against FPIR, both on log axes) of an evaluation as a PNG with ScottPlot.
/// ScottPlot has no logarithmic axis type; its documented way is to plot log10 of the values and let the tick
/// generator label each decade, which is what this does.
/// </summary>
public static class DetPlot
{
    public const string FileName = "det.png";

    /// <summary>Writes the curves of the pipelines that have open-set figures; returns the path, or null if none has.</summary>
    public static string? Write(string directory, IReadOnlyList<PipelineResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var drawn = results.Where(r => r.OpenSet is { Det.Count: > 0 }).ToArray();
        if (drawn.Length == 0)
        {
            return null;
        }

        using var plot = new Plot();
        foreach (var result in drawn)
        {
            // Zero rates have no logarithm; the curve starts and ends where both rates are measurable.
            var points = result.OpenSet!.Det.Where(p => p.Fpir > 0 && p.Fnir > 0).ToArray();
            var line = plot.Add.ScatterLine(points.Select(p => Math.Log10(p.Fpir)).ToArray(), points.Select(p => Math.Log10(p.Fnir)).ToArray());
            line.LegendText = result.Pipeline;
            line.LineWidth = 2;
            if (result.OpenSet.OwnThreshold is { Fpir: > 0, Fnir: > 0 } own)
            {
                var marker = plot.Add.Marker(Math.Log10(own.Fpir), Math.Log10(own.Fnir));
                marker.Color = line.Color;
                marker.MarkerSize = 10;
                marker.LegendText = string.Create(CultureInfo.InvariantCulture, $"{result.Pipeline}: rvs's threshold ({own.GalleryFaces:N0} faces, measurement half)");
            }
        }

        plot.Axes.Bottom.TickGenerator = DecadeTicks();
        plot.Axes.Left.TickGenerator = DecadeTicks();
        plot.Axes.Bottom.Label.Text = "FPIR (strangers called someone)";
        plot.Axes.Left.Label.Text = "FNIR (people in the gallery missed at rank 1)";
        plot.Axes.Title.Label.Text = "Open-set identification on LFW (DET, every query, whole gallery)";
        plot.ShowLegend();
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        plot.SavePng(path, 900, 700);
        return path;
    }

    private static ScottPlot.TickGenerators.NumericAutomatic DecadeTicks() => new()
    {
        MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
        IntegerTicksOnly = true,
        LabelFormatter = exponent => Math.Pow(10, exponent).ToString("0.####%", CultureInfo.InvariantCulture),
    };
}
