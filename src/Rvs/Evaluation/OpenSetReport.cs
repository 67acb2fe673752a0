using System.Globalization;
using System.Text;

namespace Rvs.Evaluation;

/// <summary>The open-set part of results.md and of the console table, in one wording.</summary>
public static class OpenSetReport
{
    public static void AppendMarkdown(StringBuilder md, IReadOnlyList<PipelineResult> pipelines)
    {
        ArgumentNullException.ThrowIfNull(md);
        ArgumentNullException.ThrowIfNull(pipelines);
        var measured = pipelines.Where(p => p.OpenSet is not null).ToArray();
        if (measured.Length == 0)
        {
            return;
        }

        md.AppendLine().AppendLine("## Open-set identification").AppendLine();
        md.AppendLine("| pipeline | rvs's threshold (gallery) | FPIR | FNIR | FNIR at FPIR 1% | FNIR at FPIR 0.1% |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var p in measured)
        {
            var own = p.OpenSet!.OwnThreshold;
            md.AppendLine(Invariant(
                $"| {p.Pipeline} | {(own is null ? "–" : Invariant($"{own.Distance:0.000} ({own.GalleryFaces:N0})"))} | {Percent(own?.Fpir)} | {Percent(own?.Fnir)} | {Percent(p.OpenSet.FnirAtFpir1Pct)} | {Percent(p.OpenSet.FnirAtFpir01Pct)} |"));
        }

        foreach (var p in measured)
        {
            foreach (var (name, m) in new[] { ("the plain quantile of the impostor pairs", p.OpenSet!.PlainQuantile), ("the 1:1 pair threshold", p.OpenSet.PairThreshold) })
            {
                if (m is not null)
                {
                    md.AppendLine().Append(Invariant(
                        $"For comparison, {p.Pipeline} with {name} as search threshold ({m.Distance:0.000}, same queries): FPIR {Percent(m.Fpir)}, FNIR {Percent(m.Fnir)}."));
                }
            }
        }

        md.AppendLine();
        var checks = measured.Where(p => p.OpenSet!.Calibration.Count > 0).ToArray();
        if (checks.Length > 0)
        {
            md.AppendLine().AppendLine("Calibration check (target FPIR, measured FPIR and FNIR at the threshold rvs computes for each gallery size):").AppendLine();
            md.AppendLine("| pipeline | gallery faces | threshold | target FPIR | FPIR | FNIR | non-mated queries | mated queries |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var p in checks)
            {
                foreach (var c in p.OpenSet!.Calibration)
                {
                    md.AppendLine(Invariant(
                        $"| {p.Pipeline} | {c.GalleryFaces:N0} | {c.Distance:0.000} | {Percent(c.TargetFpir)} | {Percent(c.Fpir)} | {Percent(c.Fnir)} | {c.NonMatedQueries:N0} | {c.MatedQueries:N0} |"));
                }
            }
        }

        md.AppendLine();
        md.AppendLine("Protocol of EVALUATION.md: gallery = the images of people with two or more images; a query is answered "
            + "\"match\" when its top hit (itself left out) is closer than the threshold; FPIR = strangers answered \"match\", "
            + "FNIR = people in the gallery not matched with the right person at rank 1. rvs's threshold comes from "
            + "models/open-set.json, measured on the calibration half of the people (SHA-256 of the name, first byte even); "
            + "its FPIR and FNIR, and the calibration check, use only queries of the other half, so they are out of sample. "
            + "The best-threshold figures (FNIR at FPIR 1% and 0.1%, threshold read off the strangers' distances) and the "
            + Invariant($"DET curve (`{DetPlot.FileName}`) use every query.")).AppendLine();
        md.AppendLine(Invariant($"![DET curve]({DetPlot.FileName})"));
    }

    private static string Percent(double? fraction) =>
        fraction is { } f ? (f * 100).ToString("F2", CultureInfo.InvariantCulture) + "%" : "–";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
