using System.Globalization;
using System.CommandLine;
using System.Text.Json.Nodes;
using Rvs.Catalog;
using Rvs.Errors;
using Rvs.Evaluation;
using Rvs.Pipelines;
using Rvs.Search;
using Rvs.Verdicts;
using Spectre.Console;

namespace Rvs.Cli.Commands;

/// <summary>`rvs search`: the photo-search use case, shown as a table, JSON and an HTML contact sheet.</summary>
internal static class SearchCommand
{
    public static Command Search()
    {
        var image = new Argument<FileInfo>("image") { Description = "The photo to search with." };
        var collection = CollectionCommands.CollectionOption();
        var catalog = CollectionCommands.CatalogOption();
        var k = new Option<int>("-k", "--top") { Description = "How many results (1 to 10,000).", DefaultValueFactory = _ => 20 };
        var threshold = new Option<float?>("--threshold") { Description = "Only results closer than this L2 distance." };
        var face = new Option<int?>("--face") { Description = "Which face of the photo to search with (0 = largest, as listed by `rvs detect`)." };
        var allFaces = new Option<bool>("--all-faces") { Description = "Search with every face of the photo, one result list each." };
        var json = FaceCommands.JsonOption();
        var targetFpir = CollectionCommands.TargetFpirOption();
        var includeLowQuality = CollectionCommands.IncludeLowQualityOption();
        var html = new Option<FileInfo?>("--html") { Description = "Write a self-contained HTML contact sheet of the results." };
        var label = new Option<string?>("--label") { Description = "The query's person, to highlight matching results (default: its label if the photo is in the collection)." };
        var backEnd = new BackEndOptions();
        var command = new Command("search", "Find the faces in a collection most similar to a face in a photo.")
        {
            image, collection, catalog, k, threshold, face, allFaces, json, html, label, targetFpir, includeLowQuality,
        };
        backEnd.AddTo(command);
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var file = parse.GetValue(image)!;
            var directory = CollectionCommands.Location(parse, collection, catalog);
            ContactSheet.CheckDestination(parse.GetValue(html)?.FullName);
            var photo = ReadPhoto(file);
            using var faces = CollectionCommands.OpenExisting(directory, backEnd.Resolve(parse, directory), readOnly: true);
            using var embedder = PipelineFactory.CreateMatching(faces.Pipeline.Name, faces.Pipeline.ModelId);
            var request = new PhotoSearchRequest(photo, CollectionCommands.CheckK(parse.GetValue(k)), parse.GetValue(face), parse.GetValue(allFaces), parse.GetValue(threshold),
                parse.GetValue(includeLowQuality));
            Show(faces, new PhotoSearch(faces, embedder, new SearchVerdicts(faces, parse.GetValue(targetFpir))).Run(request), new Display(file.Name, photo, parse.GetValue(json), parse.GetValue(html)?.FullName, parse.GetValue(label), parse.GetValue(allFaces)));
            return 0;
        }));
        return command;
    }

    /// <summary>How to show a search: the query's name and bytes (for the sheet), JSON or a table, and the query's person.</summary>
    public sealed record Display(string Name, byte[] Photo, bool Json, string? HtmlPath, string? Label, bool AllFaces = false);

    /// <summary>Prints a search's results (table or JSON, plus the HTML sheet), with its warnings on stderr.</summary>
    public static void Show(FaceCollection faces, PhotoSearchResult result, Display display)
    {
        foreach (var shard in result.Unavailable)
        {
            Console.Error.WriteLine($"warning: partial result, {shard} did not answer");
        }

        foreach (var search in result.Searches)
        {
            var query = result.Faces[search.Face].Face;
            if (FaceQuality.IsLow(query.Box, query.Score))
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"warning: face {search.Face} of the photo is low quality ({FaceQuality.Side(query.Box):0} px, score {query.Score:0.00}); its results are unreliable"));
            }
        }

        if (result.QueryInCollection.Count > 0)
        {
            Console.Error.WriteLine("(the query photo is itself in the collection; it is left out of its results)");
        }

        var queryLabel = display.Label ?? result.QueryLabel;
        if (display.HtmlPath is { } sheet)
        {
            ContactSheet.Write(sheet, ContactSheet.Render(display.Name, display.Photo, result.Faces.Select(f => f.Face).ToList(), result.Searches, queryLabel, faces));
            Console.Error.WriteLine($"contact sheet written to {Path.GetFullPath(sheet)}");
        }

        if (display.Json)
        {
            JsonOutput.Print(SearchJson(result, display.AllFaces));
            return;
        }

        foreach (var search in result.Searches)
        {
            PrintHits($"{display.Name}: face {search.Face} of {result.Faces.Count}", search.Result, queryLabel);
        }
    }

    /// <summary>
    /// The distance below which two faces are likely the same person, as measured on LFW for exactly this
    /// collection's models; null when none was measured for them (then no result is marked).
    /// </summary>
    public static float? SamePersonThreshold(FaceCollection faces) => VerificationThresholds.SamePersonDistance(faces.Pipeline.ModelId);

    /// <summary>The answer first, then one row per hit with its verdict.</summary>
    public static void PrintHits(string title, AnsweredHits result, string? queryLabel)
    {
        if (result.Text is { } answer)
        {
            AnsiConsole.MarkupLine(result.IsMatch ? $"[bold green]{Markup.Escape(answer)}[/]" : $"[bold yellow]{Markup.Escape(answer)}[/]");
        }

        foreach (var person in result.Persons)
        {
            var best = person.Best;
            var verdict = result.VerdictOf(IndexOf(result.Hits, best));
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"{person.Title}: {person.FaceCount} faces in the collection, {person.Hits.Count} here; best rank {best.Rank} (face {best.FaceId}, distance {best.Distance:0.000}{(verdict == Verdict.None ? "" : ", " + verdict.Word())})")));
        }

        var table = new Table().Title(Markup.Escape(title)).AddColumns("rank", "label (or file)", "distance", "similarity", "face id");
        if (result.Policy is { } policy)
        {
            table.AddColumn(string.Create(CultureInfo.InvariantCulture, $"verdict (match d < {policy.MatchThreshold:0.000}, possible d < {policy.PossibleThreshold:0.000})"));
        }

        for (var i = 0; i < result.Hits.Count; i++)
        {
            var hit = result.Hits[i];
            var name = Markup.Escape((hit.Label ?? Path.GetFileName(hit.Path)) + At(hit));
            if (queryLabel is not null && hit.Label == queryLabel)
            {
                name = $"[green]{name}[/]";
            }

            if (hit.LowQuality)
            {
                name += " [dim](low quality)[/]";
            }

            string[] cells = [$"{hit.Rank}", name, $"{hit.Distance:0.000}", $"{hit.Similarity:0.000}", $"{hit.FaceId}"];
            var verdict = result.VerdictOf(i);
            table.AddRow(result.Policy is null ? cells : [.. cells, verdict == Verdict.None ? "" : verdict.Word()]);
        }

        AnsiConsole.Write(table);
    }

    /// <summary>" at 3.52 s" for a video's face (when its appearance begins), nothing for a photo's.</summary>
    public static string At(SearchHit hit) =>
        hit.TimeSeconds is { } t ? string.Create(CultureInfo.InvariantCulture, $" at {t:0.##} s") : "";

    /// <summary>A result list as JSON: its answer and thresholds, and each hit with its verdict (and, for a video, its time).</summary>
    public static JsonObject ResultJson(AnsweredHits result)
    {
        var json = new JsonObject
        {
            ["answer"] = result.Text,
            ["verdict"] = result.Answer is { } a ? a.Verdict.Word() : null,
            ["hits"] = new JsonArray([.. result.Hits.Select((h, i) =>
            {
                var hit = new JsonObject
                {
                    ["rank"] = h.Rank,
                    ["face_id"] = h.FaceId,
                    ["path"] = h.Path,
                    ["label"] = h.Label,
                    ["distance"] = Math.Round(h.Distance, 5),
                    ["similarity"] = Math.Round(h.Similarity, 5),
                    ["verdict"] = result.Policy is null ? null : result.VerdictOf(i).Word(),
                    ["low_quality"] = h.LowQuality,
                };
                if (h.TimeSeconds is { } time)
                {
                    hit["time_seconds"] = Math.Round(time, 3);
                }

                return (JsonNode)hit;
            })]),
        };
        json["persons"] = new JsonArray([.. result.Persons.Select(p => (JsonNode)new JsonObject
        {
            ["id"] = p.PersonId,
            ["name"] = p.Name,
            ["title"] = p.Title,
            ["face_count"] = p.FaceCount,
            ["best"] = new JsonObject
            {
                ["rank"] = p.Best.Rank,
                ["face_id"] = p.Best.FaceId,
                ["distance"] = Math.Round(p.Best.Distance, 5),
                ["verdict"] = result.Policy is null ? null : result.VerdictOf(IndexOf(result.Hits, p.Best)).Word(),
            },
            ["face_ids"] = new JsonArray([.. p.Hits.Select(h => (JsonNode)h.FaceId)]),
        })]);
        if (result.Policy is { } policy)
        {
            json["thresholds"] = new JsonObject { ["match"] = Math.Round(policy.MatchThreshold, 5), ["possible"] = Math.Round(policy.PossibleThreshold, 5) };
        }

        return json;
    }

    private static int IndexOf(IReadOnlyList<SearchHit> hits, SearchHit hit)
    {
        for (var i = 0; i < hits.Count; i++)
        {
            if (hits[i].FaceId == hit.FaceId)
            {
                return i;
            }
        }

        return -1;
    }

    private static JsonObject SearchJson(PhotoSearchResult result, bool allFaces)
    {
        var query = new JsonObject
        {
            ["faces"] = new JsonArray([.. result.Faces.Select(f => (JsonNode)new JsonObject
            {
                ["box"] = new JsonArray(Math.Round(f.Face.Box.X, 2), Math.Round(f.Face.Box.Y, 2), Math.Round(f.Face.Box.Width, 2), Math.Round(f.Face.Box.Height, 2)),
                ["score"] = Math.Round(f.Face.Score, 5),
            })]),
        };
        var output = new JsonObject { ["query"] = query };
        if (result.IsPartial)
        {
            output["partial"] = true;
            output["unavailable"] = new JsonArray([.. result.Unavailable.Select(u => (JsonNode)JsonValue.Create(u))]);
        }

        if (allFaces)
        {
            output["results"] = new JsonArray([.. result.Searches.Select(r =>
            {
                var json = ResultJson(r.Result);
                json["face"] = r.Face;
                return (JsonNode)json;
            })]);
        }
        else
        {
            query["face"] = result.Searches[0].Face;
            foreach (var (key, value) in ResultJson(result.Searches[0].Result).ToList())
            {
                output[key] = value?.DeepClone();
            }
        }

        return output;
    }

    private static byte[] ReadPhoto(FileInfo file)
    {
        try
        {
            return File.ReadAllBytes(file.FullName);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new NotFoundException($"'{file.FullName}' does not exist", e);
        }
    }
}
