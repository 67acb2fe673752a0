using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Rvs.Catalog;
using Rvs.Errors;
using Rvs.Pipelines;
using Rvs.Search;
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

    /// <summary>--catalog: a shared catalog on PostgreSQL, in place of a collection directory.</summary>
    public static Option<string?> CatalogOption()
    {
        var option = new Option<string?>("--catalog")
        {
            Description = "A shared catalog on PostgreSQL, postgresql://user[:password]@host:port/database (libpq's URI form), used instead of --collection: no directory is made, and several processes may use it at once.",
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } uri && !CatalogLocation.IsShared(uri))
            {
                result.AddError("--catalog takes a PostgreSQL URI, postgresql://user@host:port/database; a collection directory goes to --collection");
            }
        });
        return option;
    }

    /// <summary>Where the command's collection is: the --catalog URI when one is given, else the --collection directory.</summary>
    public static string Location(ParseResult parse, Option<string> collection, Option<string?> catalog) =>
        parse.GetValue(catalog) ?? parse.GetValue(collection)!;

    public static Command Index()
    {
        var source = new Argument<string>("source") { Description = "A folder of photos or a .tgz/.tar archive." };
        var collection = CollectionOption();
        var pipeline = new Option<string?>("--pipeline", "-p") { Description = $"Pipeline for a new collection (default {PipelineNames.MtcnnFaceNet}); an existing collection keeps its own." }
            .AcceptOnlyFromAmong([.. PipelineNames.All]);
        var catalog = CatalogOption();
        var labels = new Option<bool>("--label-from-folder") { Description = "Label each photo with its folder's name (LFW: the person)." };
        var backEnd = new BackEndOptions();
        var workers = new Option<int>("--workers") { Description = "Photos processed in parallel.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var minFace = FaceCommands.MinFaceOption();
        var command = new Command("index", "Add the photos of a folder or archive (and the videos of a folder, read with ffmpeg; $RVS_FFMPEG names another) to a collection: every face is detected, embedded and stored; a video keeps one face per appearance of a person, with its time. Incremental and resumable.")
        {
            source, collection, catalog, pipeline, labels, workers, minFace,
        };
        backEnd.AddTo(command);
        command.SetAction((parse, cancel) => CliErrors.Run(async () =>
        {
            // Ctrl-C stops taking photos, commits those finished, saves the index and prints the summary; a second
            // Ctrl-C ends the process at once (the catalog stays consistent either way). System.CommandLine no longer
            // installs a handler by default, so without this one SIGINT killed the run before the summary.
            using var interrupted = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal =>
            {
                signal.Cancel = !interrupted.IsCancellationRequested;
                interrupted.Cancel();
            });
            cancel = interrupted.Token;
            // Which faces are looked for, not how they are embedded: the model id, and so the collection, is the same.
            var resolution = FaceCommands.Resolution(parse, minFace);
            var directory = Location(parse, collection, catalog);
            var settings = FaceCollection.Exists(directory) ? FaceCollection.ReadSettings(directory) : null;
            var stored = settings?.Pipeline;
            var name = parse.GetValue(pipeline) ?? stored?.Name ?? PipelineNames.MtcnnFaceNet;
            using var embedder = stored is not null && stored.Name == name
                ? PipelineFactory.CreateMatching(name, stored.ModelId, resolution: resolution)
                : PipelineFactory.Create(name, resolution: resolution);
            var options = backEnd.Resolve(parse, directory);
            var recordedKind = settings?.IndexKind;
            if (recordedKind is not null && options.BackEnd is { } chosen && chosen.Kind != recordedKind)
            {
                throw new InvalidRequestException($"the collection at '{CatalogLocation.Shown(directory)}' records the {recordedKind} index; "
                    + $"to switch it to {chosen.Kind}, run `rvs reindex --index {chosen.Kind} --collection {CatalogLocation.Shown(directory)}`");
            }

            using var faces = FaceCollection.OpenOrCreate(directory, PipelineIdentity.Of(embedder), options);
            var lastFace = PeopleCommands.LastFaceIfClustered(directory);
            var indexing = new IndexingOptions
            {
                LabelFromFolder = parse.GetValue(labels),
                Workers = Math.Max(1, parse.GetValue(workers)),
                SamePersonDistance = SearchCommand.SamePersonThreshold(faces),
            };
            var summary = await Task.Run(() => Progress.Run<IndexingProgress, IndexingSummary>(
                $"indexing ({name})", p => (p.Done, p.Total),
                progress => new CollectionIndexer(faces).Run(parse.GetValue(source)!, embedder, indexing, progress, cancel)));
            PrintSummary(summary, faces.Location);
            PeopleCommands.PlaceIndexed(faces, lastFace);
            if (summary.SourceFailure is { } broken)
            {
                Console.Error.WriteLine($"rvs: {broken.Path}: {broken.Reason}; the photos before it are indexed");
                return CliErrors.Failure;
            }

            return summary.Cancelled ? CliErrors.Cancelled : 0;
        }));
        return command;
    }

    public static Command Similar()
    {
        var id = IdArgument("face-id", "face", "A face id from earlier results.");
        var collection = CollectionOption();
        var k = new Option<int>("-k", "--top") { Description = "How many results.", DefaultValueFactory = _ => 20 };
        var json = FaceCommands.JsonOption();
        var targetFpir = TargetFpirOption();
        var includeLowQuality = IncludeLowQualityOption();
        var backEnd = new BackEndOptions();
        var catalog = CatalogOption();
        var command = new Command("similar", "More like this: the faces most similar to a face already in the collection.") { id, collection, catalog, k, json, targetFpir, includeLowQuality };
        backEnd.AddTo(command);
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var location = Location(parse, collection, catalog);
            using var faces = OpenExisting(location, backEnd.Resolve(parse, location), readOnly: true);
            var faceId = parse.GetValue(id);
            var face = faces.GetFace(faceId) ?? throw new NotFoundException($"there is no face {faceId} in the collection");
            var hits = new SearchVerdicts(faces, parse.GetValue(targetFpir)).Answer(faces.Similar(faceId, CheckK(parse.GetValue(k)), includeLowQuality: parse.GetValue(includeLowQuality)));
            if (parse.GetValue(json))
            {
                var json = SearchCommand.ResultJson(hits);
                json["face_id"] = faceId;
                JsonOutput.Print(json);
            }
            else
            {
                SearchCommand.PrintHits($"faces like {faceId} ({face.Label ?? face.Path})", hits, face.Label);
            }

            return 0;
        }));
        return command;
    }

    public static Command Remove()
    {
        var paths = new Argument<string[]>("paths") { Description = "Photo paths as listed in results, or folders/archives to remove everything under.", Arity = ArgumentArity.OneOrMore };
        var collection = CollectionOption();
        var catalog = CatalogOption();
        var command = new Command("remove", "Remove photos (and their faces) from a collection.") { paths, collection, catalog };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            using var faces = OpenExisting(Location(parse, collection, catalog));
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
        var catalog = CatalogOption();
        var command = new Command("stats", "What a collection holds: photos, faces, people, failures, size on disk.") { collection, catalog, json };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            using var faces = OpenExisting(Location(parse, collection, catalog), readOnly: true);
            var stats = faces.Stats();
            var failures = stats.ImagesByStatus.Where(s => s.Key != ImageStatus.Indexed).ToDictionary(s => s.Key.ToString().ToLowerInvariant(), s => s.Value);
            if (parse.GetValue(json))
            {
                JsonOutput.Print(new JsonObject
                {
                    ["images"] = stats.Images,
                    ["faces"] = stats.Faces,
                    ["low_quality_faces"] = stats.LowQualityFaces,
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
            table.AddRow("low-quality faces (left out of results)", $"{stats.LowQualityFaces:N0}");
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
        var catalog = CatalogOption();
        var command = new Command("reindex", "Rebuild the vector index from the catalog; with --index, switch the collection to that back end for good.") { collection, catalog };
        backEnd.AddTo(command);
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var directory = Location(parse, collection, catalog);
            var switchTo = backEnd.Chosen(parse, directory);
            using var faces = OpenExisting(directory, backEnd.Resolve(parse, directory));
            var count = faces.Reindex(switchTo);
            faces.RelabelFaces(SearchCommand.SamePersonThreshold(faces));
            Console.WriteLine($"rebuilt the {faces.IndexKind} index over {count:N0} faces");
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// Opens a collection that must exist; <paramref name="readOnly"/> for a command that only reads, which then
    /// works on a collection this user may not write and never changes it.
    /// </summary>
    public static FaceCollection OpenExisting(string directory, CollectionOptions? options = null, bool readOnly = false)
    {
        if (!FaceCollection.Exists(directory))
        {
            var shown = CatalogLocation.Shown(directory);
            throw new NotFoundException($"no collection at '{shown}'; create one with `rvs index <photos> {(CatalogLocation.IsShared(directory) ? "--catalog" : "--collection")} {shown}`");
        }

        return FaceCollection.Open(directory, (options ?? new CollectionOptions { BackEnds = BackEndOptions.Known }) with { ReadOnly = readOnly });
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

    /// <summary>--include-low-quality: also show faces too small or too weakly detected to be trusted.</summary>
    public static Option<bool> IncludeLowQualityOption() => new("--include-low-quality")
    {
        Description = $"Also show faces too small (under {Pipelines.FaceQuality.MinimumSide:0} px) or too weakly detected to be trusted; they are left out by default.",
    };

    /// <summary>--target-fpir: the share of strangers a search may call someone (the open-set threshold of its answer).</summary>
    public static Option<double> TargetFpirOption()
    {
        var option = new Option<double>("--target-fpir")
        {
            Description = "The share of searches for people not in the collection that may still answer \"match\" (default 0.01, i.e. 1%).",
            DefaultValueFactory = _ => Rvs.Verdicts.OpenSetCalibration.DefaultTargetFpir,
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is not (> 0 and < 1))
            {
                result.AddError("--target-fpir must lie between 0 and 1 (e.g. 0.01 for 1%)");
            }
        });
        return option;
    }

    /// <summary>Checks -k before any work: a count of results rvs can return, not one that would exhaust memory.</summary>
    /// <summary>
    /// An id argument that refuses anything but a positive whole number in words ("'abc' is not a face id …") rather
    /// than with the parser's own message, which names .NET types.
    /// </summary>
    public static Argument<long> IdArgument(string name, string what, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Join(' ', result.Tokens.Select(t => t.Value));
            if (long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) && id > 0)
            {
                return id;
            }

            result.AddError($"'{text}' is not a {what} id: ids are positive whole numbers, as search results show them");
            return 0;
        },
    };

    public static int CheckK(int k) => k is >= 1 and <= MaxK
        ? k
        : throw new InvalidRequestException($"-k must be from 1 to {MaxK:N0} (got {k})");

    private const int MaxK = 10_000;
}
