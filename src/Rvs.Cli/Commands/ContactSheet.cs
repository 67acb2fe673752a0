using System.Globalization;
using System.Net;
using System.Text;
using Rvs.Catalog;
using Rvs.Detection;
using Rvs.Imaging;
using Rvs.Search;
using Rvs.Verdicts;
using SkiaSharp;

namespace Rvs.Cli.Commands;

/// <summary>
/// A self-contained HTML page of a search: the query photo with the searched face boxed, then each result's face
/// thumbnail with its label and distance. Images are inlined as data URIs so the file can be mailed or archived.
/// </summary>
internal static class ContactSheet
{
    /// <summary>Fails before any work is done when the sheet could not be written where asked (a missing folder, a folder).</summary>
    public static void CheckDestination(string? path)
    {
        if (path is null)
        {
            return;
        }

        if (Directory.Exists(path))
        {
            throw new Rvs.Errors.InvalidRequestException($"--html '{path}' is a folder; give the name of the HTML file to write");
        }

        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder && !Directory.Exists(folder))
        {
            throw new Rvs.Errors.NotFoundException($"--html '{path}': the folder '{folder}' does not exist");
        }
    }

    public static void Write(string path, string html)
    {
        CheckDestination(path);
        try
        {
            File.WriteAllText(path, html);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new Rvs.Errors.InvalidRequestException($"could not write the contact sheet to '{path}': {e.Message}", e);
        }
    }

    public static string Render(string queryName, byte[] queryPhoto, IReadOnlyList<DetectedFace> faces,
        IReadOnlyList<FaceSearchResult> results, string? queryLabel, FaceCollection collection)
    {
        var photo = ImageDecoder.Decode(queryPhoto, maxSide: 800);
        var scale = (float)photo.Image.Width / photo.OriginalWidth;
        var searched = results.Select(r => r.Face).ToHashSet();
        var marks = faces.Select((f, i) =>
        {
            var s = f.Scaled(scale);
            return new ImageMark(s.Box, s.Landmarks, $"{i}", Highlight: searched.Contains(i));
        }).ToList();
        var queryJpeg = ImageEncoder.Encode(photo.Image, SKEncodedImageFormat.Jpeg, 85, marks);

        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>rvs: faces like {{E(queryName)}}</title>
            <style>
            body { font: 15px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #222; background: #fafafa; }
            h1 { font-size: 1.3rem; } h2 { font-size: 1.05rem; margin-top: 2rem; }
            .query img { max-width: min(100%, 420px); border-radius: 6px; }
            .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(132px, 1fr)); gap: 12px; }
            figure { margin: 0; background: #fff; border: 3px solid #ddd; border-radius: 8px; padding: 6px; text-align: center; }
            figure.same { border-color: #00a152; background: #eefaf2; }
            figure img { width: 112px; height: 112px; border-radius: 4px; }
            figcaption { font-size: 13px; word-break: break-word; } .d { color: #666; font-variant-numeric: tabular-nums; }
            .verdict { display: inline-block; margin-top: 2px; padding: 0 6px; border-radius: 9px; font-size: 12px; }
            .verdict.match { background: #e8f5e9; color: #1b5e20; } .verdict.possible { background: #e3f2fd; color: #0d47a1; }
            .answer { font-size: 20px; font-weight: 600; padding: 10px 14px; border-radius: 8px; margin: 8px 0 16px; }
            .answer.match { background: #e8f5e9; color: #1b5e20; } .answer.none { background: #fff3e0; color: #8a4b00; }
            </style></head><body>
            <h1>Faces most like <code>{{E(queryName)}}</code>{{(queryLabel is null ? "" : $" ({E(Display(queryLabel))})")}}</h1>
            <div class="query"><img alt="query photo" src="data:image/jpeg;base64,{{Convert.ToBase64String(queryJpeg)}}"></div>
            <p>{{faces.Count}} face(s) found; searched face(s) boxed in green. Collection: {{E(collection.Location)}} ({{E(collection.Pipeline.Name)}}).
            Distance is L2 between unit embeddings (0 = identical; similarity = 1 − d²/2). “match”: closer than strangers
            come in this collection's size (the open-set threshold); “possible”: only under the 1:1 same-person threshold.
            Green frames: the same label as the query.</p>
            """);
        foreach (var result in results)
        {
            var (face, hits) = (result.Face, result.Hits);
            if (result.Result.Text is { } answer)
            {
                html.Append(CultureInfo.InvariantCulture, $"<div class=\"answer {(result.Result.IsMatch ? "match" : "none")}\">Face {face}: {E(answer.Replace('_', ' '))}</div>\n");
            }

            var same = queryLabel is null ? 0 : hits.Count(h => h.Label == queryLabel);
            html.Append(CultureInfo.InvariantCulture, $"<h2>Face {face}: {hits.Count} results{(queryLabel is null ? "" : $", {same} of them {E(Display(queryLabel))}")}</h2>\n<div class=\"grid\">\n");
            for (var i = 0; i < hits.Count; i++)
            {
                var hit = hits[i];
                var thumbnail = collection.GetThumbnail(hit.FaceId);
                var image = thumbnail is null ? "" : $"<img alt=\"face {hit.FaceId}\" src=\"data:image/jpeg;base64,{Convert.ToBase64String(thumbnail)}\">";
                var css = queryLabel is not null && hit.Label == queryLabel ? " class=\"same\"" : "";
                var verdict = result.Result.VerdictOf(i);
                var likely = verdict == Verdict.None ? "" : $"<br><span class=\"verdict {verdict.Word()}\">{verdict.Word()}</span>";
                html.Append(CultureInfo.InvariantCulture,
                    $"<figure{css}>{image}<figcaption>#{hit.Rank} {E(hit.Label is null ? Path.GetFileName(hit.Path) : Display(hit.Label))}{E(SearchCommand.At(hit))}<br><span class=\"d\">d = {hit.Distance:0.000}</span>{likely}</figcaption></figure>\n");
            }

            html.Append("</div>\n");
        }

        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    /// <summary>Labels taken from folder names (LFW's "Colin_Powell") read better with spaces.</summary>
    private static string Display(string label) => label.Replace('_', ' ');
}
