using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Rvs.Catalog;
using Rvs.Detection;
using Rvs.Evaluation;
using Rvs.Imaging;
using Rvs.Index;
using Rvs.Index.Garnet;
using Rvs.Pipelines;
using Spectre.Console;

namespace Rvs.Cli.Commands;

/// <summary>The collection verbs: index, search, similar, remove, stats, reindex.</summary>
internal static class CollectionCommands
{
    public static Option<string> CollectionOption() => new("--collection", "-c")
    {
        Description = "The collection directory (created by `rvs index`).",
        DefaultValueFactory = _ => "lfw-collection",
    };

    /// <summary>The options that choose and reach a vector back end; every collection verb takes them.</summary>
    internal sealed class BackEndOptions
    {
        public Option<string?> Kind { get; } = new Option<string?>("--index")
        {
            Description = "Vector index: auto (exact below 100,000 faces, else hnsw), exact, hnsw or garnet. Default: what the collection was created with.",
        }.AcceptOnlyFromAmong(VectorIndexFactory.Auto, VectorIndexFactory.Exact, VectorIndexFactory.Hnsw, CollectionIndexes.Garnet);

        public Option<string?> Garnet { get; } = new("--garnet") { Description = "Garnet (or Redis 8) endpoints host:port[,host:port…] for --index garnet." };

        public Option<int?> Shards { get; } = new("--shards") { Description = "Vector-set keys to spread a garnet collection over (fixed at creation; default 8)." };

        public Option<bool> AllowPartial { get; } = new("--allow-partial") { Description = "With garnet: when a shard is down, answer from the others and say the result is partial." };

        public void AddTo(Command command)
        {
            command.Options.Add(Kind);
            command.Options.Add(Garnet);
            command.Options.Add(Shards);
            command.Options.Add(AllowPartial);
        }

        public CollectionOptions Resolve(ParseResult parse, string directory)
        {
            var garnet = parse.GetValue(Garnet) is { } endpoints
                ? (CollectionIndexes.StoredGarnet(directory) ?? new GarnetVectorIndexOptions(endpoints)) with { Endpoints = endpoints }
                : CollectionIndexes.StoredGarnet(directory);
            if (garnet is not null)
            {
                garnet = garnet with { AllowPartial = parse.GetValue(AllowPartial) };
                if (parse.GetValue(Shards) is { } shards)
                {
                    garnet = garnet with { Shards = shards };
                }
            }

            return CollectionIndexes.For(directory, parse.GetValue(Kind), garnet: garnet);
        }
    }

    public static Command Index()
    {
        var source = new Argument<string>("source") { Description = "A folder of photos or a .tgz/.tar archive." };
        var collection = CollectionOption();
        var pipeline = new Option<string?>("--pipeline", "-p") { Description = $"Pipeline for a new collection (default {PipelineNames.MtcnnFaceNet}); an existing collection keeps its own." }
            .AcceptOnlyFromAmong([.. PipelineNames.All]);
        var labels = new Option<bool>("--label-from-folder") { Description = "Label each photo with its folder's name (LFW: the person)." };
        var backEnd = new BackEndOptions();
        var workers = new Option<int>("--workers") { Description = "Photos processed in parallel.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("index", "Add the photos of a folder or archive to a collection: every face is detected, embedded and stored. Incremental and resumable.")
        {
            source, collection, pipeline, labels, workers,
        };
        backEnd.AddTo(command);
        command.SetAction((parse, cancel) => CliErrors.Run(async () =>
        {
            var directory = parse.GetValue(collection)!;
            var stored = FaceCollection.Exists(directory) ? FaceCollection.ReadSettings(directory).Pipeline : null;
            var name = parse.GetValue(pipeline) ?? stored?.Name ?? PipelineNames.MtcnnFaceNet;
            using var embedder = stored is not null && stored.Name == name
                ? PipelineFactory.CreateMatching(name, stored.ModelId)
                : PipelineFactory.Create(name);
            using var faces = FaceCollection.OpenOrCreate(directory, PipelineIdentity.Of(embedder), backEnd.Resolve(parse, directory));
            var options = new IndexingOptions { LabelFromFolder = parse.GetValue(labels), Workers = Math.Max(1, parse.GetValue(workers)) };
            var summary = await Task.Run(() => Progress.Run<IndexingProgress, IndexingSummary>(
                $"indexing ({name})", p => (p.Done, p.Total),
                progress => new CollectionIndexer(faces).Run(parse.GetValue(source)!, embedder, options, progress, cancel)));
            PrintSummary(summary, directory);
            if (summary.SourceFailure is { } broken)
            {
                Console.Error.WriteLine($"rvs: {broken.Path}: {broken.Reason}; the photos before it are indexed");
                return CliErrors.Failure;
            }

            return summary.Cancelled ? 130 : 0;
        }));
        return command;
    }

    public static Command Search()
    {
        var image = new Argument<FileInfo>("image") { Description = "The photo to search with." };
        var collection = CollectionOption();
        var k = new Option<int>("-k", "--top") { Description = "How many results.", DefaultValueFactory = _ => 20 };
        var threshold = new Option<float?>("--threshold") { Description = "Only results closer than this L2 distance." };
        var face = new Option<int?>("--face") { Description = "Which face of the photo to search with (0 = largest, as listed by `rvs detect`)." };
        var allFaces = new Option<bool>("--all-faces") { Description = "Search with every face of the photo, one result list each." };
        var json = FaceCommands.JsonOption();
        var html = new Option<FileInfo?>("--html") { Description = "Write a self-contained HTML contact sheet of the results." };
        var label = new Option<string?>("--label") { Description = "The query's person, to highlight matching results (default: its label if the photo is in the collection)." };
        var backEnd = new BackEndOptions();
        var command = new Command("search", "Find the faces in a collection most similar to a face in a photo.")
        {
            image, collection, k, threshold, face, allFaces, json, html, label,
        };
        backEnd.AddTo(command);
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var file = parse.GetValue(image)!;
            using var faces = OpenExisting(parse.GetValue(collection)!, backEnd.Resolve(parse, parse.GetValue(collection)!));
            using var embedder = PipelineFactory.CreateMatching(faces.Pipeline.Name, faces.Pipeline.ModelId);
            var request = new SearchRequest(file.Name, ReadPhoto(file), parse.GetValue(k), parse.GetValue(threshold), parse.GetValue(face),
                parse.GetValue(allFaces), parse.GetValue(json), parse.GetValue(html)?.FullName, parse.GetValue(label));
            SearchAndShow(faces, embedder, request);
            return 0;
        }));
        return command;
    }

    public static Command Similar()
    {
        var id = new Argument<long>("face-id") { Description = "A face id from earlier results." };
        var collection = CollectionOption();
        var k = new Option<int>("-k", "--top") { Description = "How many results.", DefaultValueFactory = _ => 20 };
        var json = FaceCommands.JsonOption();
        var backEnd = new BackEndOptions();
        var command = new Command("similar", "More like this: the faces most similar to a face already in the collection.") { id, collection, k, json };
        backEnd.AddTo(command);
        command.SetAction(parse => CliErrors.Run(() =>
        {
            using var faces = OpenExisting(parse.GetValue(collection)!, backEnd.Resolve(parse, parse.GetValue(collection)!));
            var faceId = parse.GetValue(id);
            var face = faces.GetFace(faceId) ?? throw new ArgumentException($"there is no face {faceId} in the collection");
            var hits = faces.Similar(faceId, parse.GetValue(k));
            if (parse.GetValue(json))
            {
                JsonOutput.Print(new JsonObject { ["face_id"] = faceId, ["hits"] = HitsJson(hits) });
            }
            else
            {
                PrintHits($"faces like {faceId} ({face.Label ?? face.Path})", hits, face.Label, SamePersonThreshold(faces));
            }

            return 0;
        }));
        return command;
    }

    public static Command Remove()
    {
        var paths = new Argument<string[]>("paths") { Description = "Photo paths as listed in results, or folders/archives to remove everything under.", Arity = ArgumentArity.OneOrMore };
        var collection = CollectionOption();
        var command = new Command("remove", "Remove photos (and their faces) from a collection.") { paths, collection };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            using var faces = OpenExisting(parse.GetValue(collection)!);
            var removed = faces.Remove(parse.GetValue(paths)!);
            Console.WriteLine($"removed {removed.Images} photos and {removed.Faces} faces");
            return 0;
        }));
        return command;
    }

    public static Command Stats()
    {
        var collection = CollectionOption();
        var json = FaceCommands.JsonOption();
        var command = new Command("stats", "What a collection holds: photos, faces, people, failures, size on disk.") { collection, json };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            using var faces = OpenExisting(parse.GetValue(collection)!);
            var stats = faces.Stats();
            var failures = stats.ImagesByStatus.Where(s => s.Key != ImageStatus.Indexed).ToDictionary(s => s.Key.ToString().ToLowerInvariant(), s => s.Value);
            if (parse.GetValue(json))
            {
                JsonOutput.Print(new JsonObject
                {
                    ["images"] = stats.Images,
                    ["faces"] = stats.Faces,
                    ["people"] = stats.People,
                    ["failures"] = new JsonObject([.. failures.Select(f => KeyValuePair.Create(f.Key, (JsonNode?)f.Value))]),
                    ["size_bytes"] = stats.SizeOnDiskBytes,
                    ["pipeline"] = stats.Settings.Pipeline.Name,
                    ["index"] = stats.LoadedIndexKind,
                });
                return 0;
            }

            var table = new Table().AddColumns("", "").HideHeaders();
            table.AddRow("photos", $"{stats.Images:N0}");
            table.AddRow("faces", $"{stats.Faces:N0}");
            table.AddRow("people (labels)", $"{stats.People:N0}");
            foreach (var (status, count) in failures)
            {
                table.AddRow(Markup.Escape(status.Replace("noface", "no face", StringComparison.Ordinal)), $"{count:N0}");
            }

            table.AddRow("size on disk", $"{stats.SizeOnDiskBytes / 1048576.0:0.0} MiB");
            table.AddRow("pipeline", Markup.Escape($"{stats.Settings.Pipeline.Name} ({stats.Settings.Pipeline.Dimensions}-d)"));
            table.AddRow("vector index", Markup.Escape($"{stats.LoadedIndexKind} ({stats.IndexedVectors:N0} vectors)"));
            AnsiConsole.Write(table);
            return 0;
        }));
        return command;
    }

    public static Command Reindex()
    {
        var collection = CollectionOption();
        var backEnd = new BackEndOptions();
        var command = new Command("reindex", "Rebuild the vector index from the catalog (e.g. after changing --index).") { collection };
        backEnd.AddTo(command);
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var directory = parse.GetValue(collection)!;
            using var faces = OpenExisting(directory, backEnd.Resolve(parse, directory));
            var count = faces.Reindex();
            Console.WriteLine($"rebuilt the {faces.IndexKind} index over {count:N0} faces");
            return 0;
        }));
        return command;
    }

    /// <summary>One search as the user asked for it: the photo, how many results, which faces, and how to show them.</summary>
    public sealed record SearchRequest(string Name, byte[] Photo, int K, float? Threshold, int? Face, bool AllFaces, bool Json, string? HtmlPath, string? Label);

    /// <summary>
    /// Searches with the chosen face(s) of a photo and prints the results (table or JSON, plus the HTML sheet).
    /// A query photo that is itself in the collection is left out of its own results.
    /// </summary>
    public static void SearchAndShow(FaceCollection faces, IEmbeddingPipeline embedder, SearchRequest request)
    {
        var found = embedder.Embed(ImageDecoder.Decode(request.Photo));
        if (found.Count == 0)
        {
            throw new InvalidOperationException($"no face found in {request.Name}");
        }

        var chosen = request.AllFaces ? Enumerable.Range(0, found.Count).ToList() : [ChooseFace(request.Face, found.Count)];
        var itself = faces.FindImagesWithContent(request.Photo);
        var searches = chosen.Select(i => (Face: i, Result: faces.SearchWithStatus(found[i].Embedding, request.K, request.Threshold, itself))).ToList();
        var results = searches.Select(s => (s.Face, Hits: s.Result.Hits.ToList())).ToList();
        var unavailable = searches.SelectMany(s => s.Result.Unavailable).Distinct().ToList();
        foreach (var shard in unavailable)
        {
            Console.Error.WriteLine($"warning: partial result, {shard} did not answer");
        }
        if (itself.Count > 0)
        {
            Console.Error.WriteLine("(the query photo is itself in the collection; it is left out of its results)");
        }

        var queryLabel = request.Label ?? itself.Select(i => i.Label).FirstOrDefault(l => l is not null);
        if (request.HtmlPath is { } sheet)
        {
            File.WriteAllText(sheet, ContactSheet.Render(request.Name, request.Photo, found.Select(f => f.Face).ToList(), results, queryLabel, faces, SamePersonThreshold(faces)));
            Console.Error.WriteLine($"contact sheet written to {Path.GetFullPath(sheet)}");
        }

        if (request.Json)
        {
            PrintSearchJson(found.Select(f => f.Face).ToList(), results, request.AllFaces, unavailable);
            return;
        }

        foreach (var (i, hits) in results)
        {
            PrintHits($"{request.Name}: face {i} of {found.Count}", hits, queryLabel, SamePersonThreshold(faces));
        }
    }

    public static FaceCollection OpenExisting(string directory, CollectionOptions? options = null)
    {
        if (!FaceCollection.Exists(directory))
        {
            throw new DirectoryNotFoundException($"no collection at '{directory}'; create one with `rvs index <photos> --collection {directory}`");
        }

        return FaceCollection.Open(directory, options ?? CollectionIndexes.For(directory));
    }

    public static void PrintSummary(IndexingSummary summary, string directory)
    {
        var rate = summary.Elapsed.TotalSeconds > 0 ? summary.Seen / summary.Elapsed.TotalSeconds : 0;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(summary.Cancelled ? "stopped early (run again to resume)" : "done")} in {summary.Elapsed.TotalSeconds:0.0} s ({rate:0.0} photos/s): " +
            $"{summary.Indexed} indexed ({summary.Faces} faces), {summary.Skipped} already present, {summary.NoFace} without a face, {summary.Unreadable} unreadable → {directory}"));
        foreach (var failure in summary.Failures.Take(20))
        {
            Console.Error.WriteLine($"  unreadable: {failure.Path}: {failure.Reason}");
        }

        if (summary.Failures.Count > 20)
        {
            Console.Error.WriteLine($"  … and {summary.Failures.Count - 20} more (see `rvs stats`)");
        }
    }

    /// <summary>
    /// The distance below which two faces are likely the same person, as measured on LFW for exactly this
    /// collection's models; null when none was measured for them (then no result is marked).
    /// </summary>
    public static float? SamePersonThreshold(FaceCollection faces) =>
        VerificationThresholds.Find(VerificationThresholds.DefaultPath, faces.Pipeline.ModelId) is { } t ? (float)t.Threshold : null;

    public static void PrintHits(string title, IReadOnlyList<SearchHit> hits, string? queryLabel, float? samePerson)
    {
        var table = new Table().Title(Markup.Escape(title)).AddColumns("rank", "label (or file)", "distance", "similarity", "face id");
        if (samePerson is not null)
        {
            table.AddColumn($"same person? (d < {samePerson:0.00})");
        }

        foreach (var hit in hits)
        {
            var name = Markup.Escape(hit.Label ?? Path.GetFileName(hit.Path));
            if (queryLabel is not null && hit.Label == queryLabel)
            {
                name = $"[green]{name}[/]";
            }

            string[] cells = [$"{hit.Rank}", name, $"{hit.Distance:0.000}", $"{hit.Similarity:0.000}", $"{hit.FaceId}"];
            table.AddRow(samePerson is null ? cells : [.. cells, hit.Distance < samePerson ? "likely" : ""]);
        }

        AnsiConsole.Write(table);
    }

    public static JsonArray HitsJson(IEnumerable<SearchHit> hits) => new([.. hits.Select(h => (JsonNode)new JsonObject
    {
        ["rank"] = h.Rank,
        ["face_id"] = h.FaceId,
        ["path"] = h.Path,
        ["label"] = h.Label,
        ["distance"] = Math.Round(h.Distance, 5),
        ["similarity"] = Math.Round(h.Similarity, 5),
    })]);

    private static void PrintSearchJson(IReadOnlyList<DetectedFace> faces, List<(int Face, List<SearchHit> Hits)> results, bool allFaces, IReadOnlyList<string> unavailable)
    {
        var query = new JsonObject
        {
            ["faces"] = new JsonArray([.. faces.Select(f => (JsonNode)new JsonObject
            {
                ["box"] = new JsonArray(Math.Round(f.Box.X, 2), Math.Round(f.Box.Y, 2), Math.Round(f.Box.Width, 2), Math.Round(f.Box.Height, 2)),
                ["score"] = Math.Round(f.Score, 5),
            })]),
        };
        var output = new JsonObject { ["query"] = query };
        if (unavailable.Count > 0)
        {
            output["partial"] = true;
            output["unavailable"] = new JsonArray([.. unavailable.Select(u => (JsonNode)JsonValue.Create(u))]);
        }

        if (allFaces)
        {
            output["results"] = new JsonArray([.. results.Select(r => (JsonNode)new JsonObject { ["face"] = r.Face, ["hits"] = HitsJson(r.Hits) })]);
        }
        else
        {
            query["face"] = results[0].Face;
            output["hits"] = HitsJson(results[0].Hits);
        }

        JsonOutput.Print(output);
    }

    private static int ChooseFace(int? requested, int count) => requested switch
    {
        null => 0,
        var i when i >= 0 && i < count => i.Value,
        var i => throw new ArgumentException($"--face {i}: the photo has {count} face(s), numbered 0 to {count - 1}"),
    };

    private static byte[] ReadPhoto(FileInfo file)
    {
        if (!file.Exists)
        {
            throw new FileNotFoundException($"'{file.FullName}' does not exist", file.FullName);
        }

        return File.ReadAllBytes(file.FullName);
    }
}
