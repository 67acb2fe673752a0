using Rvs.Catalog;

namespace Rvs.Tests.Catalog;

/// <summary>
/// Indexes a folder slowly, lingering inside every write transaction, so that a parent killing this process
/// most likely catches it with a transaction open.
/// </summary>
internal static class SlowIndexingChild
{
    public const string Role = "index-slowly";

    /// <summary>Arguments: collection directory, photo folder.</summary>
    public static int Run(string[] args)
    {
        var pipeline = new BandPipeline { AfterEmbed = _ => Thread.Sleep(40) };
        var options = new Rvs.Testing.BruteForceBackEnd().Options;
        using var collection = FaceCollection.OpenOrCreate(args[0], PipelineIdentity.Of(pipeline), options);
        collection.BeforeCommit = () => Thread.Sleep(30);
        new CollectionIndexer(collection).Run(args[1], pipeline, new IndexingOptions { Workers = 2, BatchSize = 2 });
        return 0;
    }
}
