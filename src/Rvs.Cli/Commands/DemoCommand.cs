using System.CommandLine;
using Rvs.Catalog;
using Rvs.Errors;
using Rvs.Pipelines;
using Rvs.Search;
using Rvs.Sources;

namespace Rvs.Cli.Commands;

/// <summary>`rvs demo`: the main job in one go: find LFW, index it with labels, show the 20 faces most like a sample.</summary>
internal static class DemoCommand
{
    /// <summary>A person with over 200 photos, so a perfect top 20 is possible and mistakes are visible.</summary>
    private const string DefaultSample = "Colin_Powell/Colin_Powell_0001.jpg";

    public static Command Demo()
    {
        var lfw = new Option<string?>("--lfw") { Description = "lfw.tgz, an extracted LFW folder or a URL (default: ../shared/data/lfw.tgz, else the official archive, downloaded once)." };
        var collection = CollectionCommands.CollectionOption();
        var sample = new Option<string>("--sample") { Description = "The LFW photo to search with (Person/Person_NNNN.jpg).", DefaultValueFactory = _ => DefaultSample };
        var k = new Option<int>("-k", "--top") { Description = "How many results.", DefaultValueFactory = _ => 20 };
        var command = new Command("demo", "Index LFW (once) and show the 20 faces most similar to a sample photo, as a table and an HTML contact sheet.")
        {
            lfw, collection, sample, k,
        };
        command.SetAction((parse, cancel) => CliErrors.Run(async () =>
        {
            var source = await LfwLocator.LocateAsync(parse.GetValue(lfw), null, cancel);
            var directory = parse.GetValue(collection)!;
            using var embedder = PipelineFactory.Create(PipelineNames.MtcnnFaceNet);
            using (var faces = FaceCollection.OpenOrCreate(directory, PipelineIdentity.Of(embedder), new CollectionOptions { BackEnds = BackEndOptions.Known }))
            {
                Console.Error.WriteLine($"indexing {source} into {directory} (a second run only checks what is new)");
                var summary = await Task.Run(() => Progress.Run<IndexingProgress, IndexingSummary>(
                    "indexing LFW", p => (p.Done, p.Total),
                    progress => new CollectionIndexer(faces).Run(source, embedder, new IndexingOptions { LabelFromFolder = true, SamePersonDistance = SearchCommand.SamePersonThreshold(faces) }, progress, cancel)));
                CollectionCommands.PrintSummary(summary, directory);
                if (summary.Cancelled)
                {
                    return 130;
                }
            }

            // Reopened so the search gets the index kind that suits the collection's final size.
            using var collectionForSearch = CollectionCommands.OpenExisting(directory);
            // The collection was made with (or checked against) this very pipeline, so it embeds the query too.
            var wanted = parse.GetValue(sample)!.Replace('\\', '/');
            var image = collectionForSearch.GetImages(ImageStatus.Indexed).FirstOrDefault(i => i.Path.EndsWith("/" + wanted, StringComparison.Ordinal))
                ?? throw new NotFoundException($"the sample photo {wanted} is not in the collection");
            var photo = collectionForSearch.GetPhotoBytes(image.ImageId) ?? throw new NotFoundException($"the sample photo {image.Path} can no longer be read");
            var html = Path.Combine(directory, "demo.html");
            var result = new PhotoSearch(collectionForSearch, embedder).Run(new PhotoSearchRequest(photo, CollectionCommands.CheckK(parse.GetValue(k))));
            SearchCommand.Show(collectionForSearch, result, new SearchCommand.Display(Path.GetFileName(wanted), photo, Json: false, html, image.Label));
            return 0;
        }));
        return command;
    }
}
