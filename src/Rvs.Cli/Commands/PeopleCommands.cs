using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Rvs.Errors;
using Rvs.Catalog;
using Rvs.Evaluation;
using Rvs.People;
using Spectre.Console;

namespace Rvs.Cli.Commands;

/// <summary>`rvs people`: the persons of a collection, their names, and the user's corrections.</summary>
internal static class PeopleCommands
{
    public static Command People()
    {
        var collection = CollectionCommands.CollectionOption();
        var json = FaceCommands.JsonOption();
        var minFaces = new Option<int>("--min-faces") { Description = "List only persons with at least this many faces.", DefaultValueFactory = _ => 1 };
        var command = new Command("people", "The persons of a collection (faces grouped by clustering), most faces first; --json lists every face.")
        {
            collection, json, minFaces, Show(), Name(), Merge(), Split(), NotThisPerson(), Recluster(), Place(),
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var store = PeopleStore.ForCollection(parse.GetValue(collection)!, readOnly: true);
            var min = parse.GetValue(minFaces);
            if (parse.GetValue(json))
            {
                var persons = store.All().Where(p => p.Faces.Count >= min);
                JsonOutput.Print(new JsonObject { ["persons"] = new JsonArray([.. persons.Select(p => (JsonNode)PersonJson(p))]) });
                return 0;
            }

            var list = store.List().Where(p => p.FaceCount >= min).ToList();
            if (list.Count == 0)
            {
                Console.Error.WriteLine("no persons yet; run `rvs people recluster`");
                return 0;
            }

            var table = new Table().AddColumns("person", "name", "faces", "photos", "cover face");
            foreach (var p in list)
            {
                table.AddRow($"{p.PersonId}", Markup.Escape(p.Name ?? "–"), $"{p.FaceCount}", $"{p.PhotoCount}", $"{p.CoverFaceId}");
            }

            AnsiConsole.Write(table);
            return 0;
        }));
        return command;
    }

    private static Command Show()
    {
        var person = PersonArgument();
        var collection = CollectionCommands.CollectionOption();
        var json = FaceCommands.JsonOption();
        var command = new Command("show", "A person's name and all its faces (face id, photo).") { person, collection, json };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var id = parse.GetValue(person);
            var detail = PeopleStore.ForCollection(parse.GetValue(collection)!, readOnly: true).Get(id) ?? throw new NotFoundException($"no person {id}; `rvs people` lists them");
            if (parse.GetValue(json))
            {
                JsonOutput.Print(PersonJson(detail));
                return 0;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"person {detail.PersonId}: {detail.Name ?? "(no name)"}, {detail.Faces.Count} faces"));
            foreach (var face in detail.Faces)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  face {face.FaceId}{(face.Pinned ? " (fixed)" : "")}  {face.Path}"));
            }

            return 0;
        }));
        return command;
    }

    private static Command Name()
    {
        var person = PersonArgument();
        var name = new Argument<string>("name") { Description = "The person's name (\"\" clears it)." };
        var collection = CollectionCommands.CollectionOption();
        var command = new Command("name", "Name a person.") { person, name, collection };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            PeopleStore.ForCollection(parse.GetValue(collection)!).Name(parse.GetValue(person), parse.GetValue(name));
            return 0;
        }));
        return command;
    }

    private static Command Merge()
    {
        var into = new Argument<long>("person") { Description = "The person that stays." };
        var from = new Argument<long>("other") { Description = "The person merged into it." };
        var collection = CollectionCommands.CollectionOption();
        var command = new Command("merge", "Merge two persons into one; re-clustering keeps them together.") { into, from, collection };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var kept = PeopleStore.ForCollection(parse.GetValue(collection)!).Merge(parse.GetValue(into), parse.GetValue(from));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"merged into person {kept}"));
            return 0;
        }));
        return command;
    }

    private static Command Split()
    {
        var person = PersonArgument();
        var faces = new Argument<long[]>("faces") { Description = "Face ids to move out into a new person.", Arity = ArgumentArity.OneOrMore };
        var collection = CollectionCommands.CollectionOption();
        var command = new Command("split", "Move faces out of a person into a new one; re-clustering keeps them apart.") { person, faces, collection };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var created = PeopleStore.ForCollection(parse.GetValue(collection)!).Split(parse.GetValue(person), parse.GetValue(faces)!);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"split off person {created}"));
            return 0;
        }));
        return command;
    }

    private static Command NotThisPerson()
    {
        var person = PersonArgument();
        var face = new Argument<long>("face") { Description = "The face that is not this person." };
        var collection = CollectionCommands.CollectionOption();
        var command = new Command("not", "Mark a face as not this person: it leaves the person, and clustering never puts it back.") { person, face, collection };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            PeopleStore.ForCollection(parse.GetValue(collection)!).NotThisPerson(parse.GetValue(face), parse.GetValue(person));
            return 0;
        }));
        return command;
    }

    private static Command Recluster()
    {
        var collection = CollectionCommands.CollectionOption();
        var command = new Command("recluster", "Group every face of the collection into persons again, keeping names and corrections.") { collection };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var directory = parse.GetValue(collection)!;
            var store = PeopleStore.ForCollection(directory);
            PrintSummary(store.Recluster(OptionsFor(directory)));
            return 0;
        }));
        return command;
    }

    private static Command Place()
    {
        var collection = CollectionCommands.CollectionOption();
        var command = new Command("place", "Put faces that are in no person yet (new photos) into persons, leaving the others as they are.") { collection };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var directory = parse.GetValue(collection)!;
            using var faces = CollectionCommands.OpenExisting(directory);
            PrintSummary(PeopleStore.ForCollection(directory).PlaceNewFaces(OptionsFor(directory), (vector, k) => faces.NearestFaces(vector, k)));
            return 0;
        }));
        return command;
    }

    /// <summary>The last face id of a collection that has persons (the point after which `rvs index` places faces), else null.</summary>
    public static long? LastFaceIfClustered(string directory)
    {
        // Persons live in catalog.db; a shared catalog has none yet.
        if (CatalogLocation.IsShared(directory))
        {
            return null;
        }

        var store = PeopleStore.ForCollection(directory);
        return store.HasPersons() ? store.LastFaceId() : null;
    }

    /// <summary>
    /// After `rvs index` on a clustered collection: puts the faces added since <paramref name="lastFaceId"/> into
    /// persons. The photos are indexed either way, so a failure here is reported, not fatal.
    /// </summary>
    public static void PlaceIndexed(FaceCollection faces, long? lastFaceId)
    {
        if (lastFaceId is not { } after || faces.Directory is not { } directory)
        {
            return;
        }

        try
        {
            var summary = PeopleStore.ForCollection(directory).PlaceNewFaces(OptionsFor(directory), (vector, k) => faces.NearestFaces(vector, k), after);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"placed {summary.Faces} new faces into {summary.Persons} persons ({summary.NewPersons} new), {summary.Unassigned} in none, in {summary.Seconds * 1000:0.0} ms"));
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"rvs: new faces not placed into persons: {e.Message}");
        }
    }

    /// <summary>The clustering distances measured for the collection's own model.</summary>
    private static ClusteringOptions OptionsFor(string directory) =>
        MeasuredClusteringOptions.ForModel(FaceCollection.ReadSettings(directory).Pipeline.ModelId, FaceCollection.CountFaces(directory));

    private static void PrintSummary(PeopleClusteringSummary summary) =>
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{summary.Faces} faces in {summary.Persons} persons ({summary.NewPersons} new), {summary.Unassigned} in none (too small to found a person) in {summary.Seconds:0.00} s"));

    private static Argument<long> PersonArgument() => new("person") { Description = "A person id, as `rvs people` lists them." };

    public static JsonObject PersonJson(PersonDetail person) => new()
    {
        ["id"] = person.PersonId,
        ["name"] = person.Name,
        ["face_count"] = person.Faces.Count,
        ["faces"] = new JsonArray([.. person.Faces.Select(f => (JsonNode)new JsonObject
        {
            ["face_id"] = f.FaceId,
            ["image_id"] = f.ImageId,
            ["path"] = f.Path,
            ["fixed"] = f.Pinned,
        })]),
    };
}
