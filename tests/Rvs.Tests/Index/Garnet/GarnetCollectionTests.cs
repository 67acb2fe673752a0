using Rvs.Catalog;
using Rvs.Imaging;
using Rvs.Index;
using Rvs.Index.Garnet;
using Rvs.Tests.Support;

namespace Rvs.Tests.Index.Garnet;

[Trait(TestTier.Name, TestTier.Full)]
[Collection("garnet-single")]
public sealed class GarnetCollectionTests(SingleGarnetFixture fx) : IDisposable
{
    private static readonly string[] People = ["Colin_Powell", "Tony_Blair", "Hugo_Chavez", "Ariel_Sharon", "Serena_Williams", "Gerhard_Schroeder"];

    private readonly string _root = Directory.CreateTempSubdirectory("rvs-garnet-collection-").FullName;

    [Fact]
    public void lfw_faces_indexed_into_garnet_give_the_same_top_results_as_the_exact_back_end()
    {
        var (directory, garnet) = IndexPhotos(perPerson: 8);

        using var onGarnet = FaceCollection.Open(directory, OnGarnet(directory, garnet));
        using var exact = FaceCollection.Open(directory, new CollectionOptions { BackEnd = new ExactBackEnd(), BackEnds = Known });
        Assert.Equal("garnet", onGarnet.IndexKind);
        Assert.Equal(exact.Stats().Faces, onGarnet.Stats().IndexedVectors);
        foreach (var person in People)
        {
            var query = SharedPipelines.FaceNet.Embed(ImageDecoder.DecodeFile(TestData.LfwPhoto(person, 9)))[0].Embedding;
            var fromGarnet = onGarnet.Search(query, 5);
            var fromExact = exact.Search(query, 5);
            Assert.Equal(fromExact.Select(h => h.FaceId), fromGarnet.Select(h => h.FaceId));
            Assert.All(fromGarnet.Zip(fromExact), p => Assert.Equal(p.Second.Distance, p.First.Distance, 3));
            Assert.Equal(person, fromGarnet[0].Label);
        }
    }

    [Fact]
    public void sets_that_fell_behind_the_catalog_are_refilled_on_open_without_duplicates()
    {
        var (directory, garnet) = IndexPhotos(perPerson: 3);
        long faces;
        using (var collection = FaceCollection.Open(directory, OnGarnet(directory, garnet)))
        {
            faces = collection.Stats().Faces;
        }

        // As if the process died after the catalog committed but before the cluster got every vector.
        using (var index = new GarnetVectorIndex(garnet, 192))
        {
            Assert.Equal(2, index.Remove([1, 2]));
            Assert.Equal(faces - 2, index.Count);
        }

        using var reopened = FaceCollection.Open(directory, OnGarnet(directory, garnet));
        Assert.Equal(faces, reopened.Stats().IndexedVectors);
        using var check = new GarnetVectorIndex(garnet, 192);
        Assert.True(check.Contains(1) && check.Contains(2));
        Assert.Equal(faces, check.Count);
    }

    private (string Directory, GarnetVectorIndexOptions Garnet) IndexPhotos(int perPerson)
    {
        var photos = Path.Combine(_root, "photos");
        foreach (var person in People)
        {
            Directory.CreateDirectory(Path.Combine(photos, person));
            for (var i = 1; i <= perPerson; i++)
            {
                File.Copy(TestData.LfwPhoto(person, i), Path.Combine(photos, person, $"{person}_{i:0000}.jpg"));
            }
        }

        var directory = Path.Combine(_root, "collection");
        // The whole suite shares 2 cores with the server; a batch of VADDs has taken over the default 5 s there.
        var garnet = new GarnetVectorIndexOptions(fx.Servers.Endpoints, "c" + Guid.NewGuid().ToString("N")[..8], Shards: 4, SearchEf: 200, TimeoutMs: 30_000);
        using var collection = FaceCollection.OpenOrCreate(directory, PipelineIdentity.Of(SharedPipelines.FaceNet), OnGarnet(directory, garnet));
        var summary = new CollectionIndexer(collection).Run(photos, SharedPipelines.FaceNet, new IndexingOptions { LabelFromFolder = true });
        Assert.Equal(People.Length * perPerson, summary.Indexed);
        return (directory, garnet);
    }

    private static readonly VectorBackEnds Known = VectorBackEnds.Embedded.With(GarnetBackEnd.KindName, GarnetBackEnd.FromSettings);

    private static CollectionOptions OnGarnet(string directory, GarnetVectorIndexOptions garnet) =>
        new() { BackEnd = GarnetBackEnd.ForCollection(directory, garnet), BackEnds = Known };

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
