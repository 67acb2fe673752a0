using Rvs.Catalog;
using Rvs.Index;
using Rvs.Index.Garnet;

namespace Rvs.Tests.Catalog;

/// <summary>
/// What a collection records about its vector back end, and when the saved index is trusted: the bugs the catalog
/// split fixed, each pinned down here.
/// </summary>
public sealed class BackEndRecordTests : IDisposable
{
    private readonly CatalogScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private void IndexPhotos(CollectionOptions options, int count = 4)
    {
        for (var i = 0; i < count; i++)
        {
            _scratch.Photo($"person{i % 2}/p{i:D2}.png", CatalogScratch.Colour(i));
        }

        var pipeline = new BandPipeline();
        using var collection = FaceCollection.OpenOrCreate(_scratch.Collection, PipelineIdentity.Of(pipeline), options);
        new CollectionIndexer(collection).Run(_scratch.Photos, pipeline, new IndexingOptions { LabelFromFolder = true });
    }

    [Fact]
    public void removing_by_path_stamps_the_saved_index_so_the_next_open_loads_it()
    {
        IndexPhotos(_scratch.Options);
        using (var collection = FaceCollection.Open(_scratch.Collection, _scratch.Options))
        {
            Assert.Equal(1, collection.Remove([Path.Combine(_scratch.Photos, "person0", "p00.png")]).Images);
        }

        var builds = _scratch.Builds;
        using var reopened = FaceCollection.Open(_scratch.Collection, _scratch.Options);

        Assert.Equal(builds, _scratch.Builds);
        Assert.Equal(3, reopened.Stats().IndexedVectors);
    }

    [Fact]
    public void hnsw_attributes_are_saved_beside_the_graph_and_loaded_back()
    {
        IndexPhotos(new CollectionOptions { BackEnd = new HnswBackEnd() });

        Assert.True(File.Exists(Path.Combine(_scratch.Collection, "index.usearch.attributes.json")));
        Assert.Empty(Directory.GetFiles(_scratch.Collection, "*.tmp*"));
        using var loaded = (HnswVectorIndex)new HnswBackEnd().Load(_scratch.Collection, 8)!;
        var hit = loaded.Search(BandPipeline.EmbeddingOf(CatalogScratch.Colour(1)), 1)[0];
        Assert.Equal("person1", FaceAttributes.FromJson(hit.Attributes)!.Label);
    }

    [Fact]
    public void a_run_with_another_back_end_leaves_the_recorded_one_and_its_saved_index_alone()
    {
        IndexPhotos(new CollectionOptions { BackEnd = new HnswBackEnd(new HnswOptions(Connectivity: 24)) });
        var graph = Path.Combine(_scratch.Collection, "index.usearch");
        var saved = File.ReadAllBytes(graph);

        using (var exact = FaceCollection.Open(_scratch.Collection, new CollectionOptions { BackEnd = new ExactBackEnd() }))
        {
            Assert.Equal("exact", exact.IndexKind);
            exact.Remove([Path.Combine(_scratch.Photos, "person0", "p00.png")]);
        }

        var settings = FaceCollection.ReadSettings(_scratch.Collection);
        Assert.Equal("hnsw", settings.IndexKind);
        Assert.Equal("24", settings.IndexParameters["hnsw.connectivity"]);
        Assert.Equal(saved, File.ReadAllBytes(graph));
        using var reopened = FaceCollection.Open(_scratch.Collection);
        Assert.Equal("hnsw", reopened.IndexKind);
        Assert.Equal(3, reopened.Stats().IndexedVectors);
    }

    [Fact]
    public void only_reindex_with_a_back_end_switches_what_the_collection_records()
    {
        IndexPhotos(new CollectionOptions { BackEnd = new ExactBackEnd() });
        using (var collection = FaceCollection.Open(_scratch.Collection))
        {
            Assert.Equal(4, collection.Reindex(new HnswBackEnd()));
        }

        Assert.Equal("hnsw", FaceCollection.ReadSettings(_scratch.Collection).IndexKind);
        using var reopened = FaceCollection.Open(_scratch.Collection);
        Assert.Equal("hnsw", reopened.IndexKind);
    }

    [Fact]
    public void a_garnet_set_named_explicitly_keeps_its_name_and_an_unnamed_one_takes_the_directory_name()
    {
        var directory = Path.Combine(_scratch.Root, "my photos");

        Assert.Equal("faces", GarnetBackEnd.ForCollection(directory, new GarnetVectorIndexOptions("127.0.0.1:1", Collection: "faces")).Options.Collection);
        Assert.Equal("my_photos", GarnetBackEnd.ForCollection(directory, new GarnetVectorIndexOptions("127.0.0.1:1")).Options.Collection);
        Assert.Equal("faces", GarnetBackEnd.FromSettings(new GarnetBackEnd(new GarnetVectorIndexOptions("h:1", Collection: "faces")).Settings).Options.Collection);
    }
}
