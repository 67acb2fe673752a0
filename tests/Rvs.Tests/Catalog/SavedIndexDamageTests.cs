using System.Security.Cryptography;
using Rvs.Catalog;
using Rvs.Index;

namespace Rvs.Tests.Catalog;

/// <summary>
/// A saved vector index that was truncated, altered, replaced or removed is never trusted: the collection rebuilds
/// it from the catalog's embeddings, says so in one warning, and answers exactly as before the damage.
/// </summary>
public sealed class SavedIndexDamageTests : IDisposable
{
    private const int Photos = 40;
    private readonly CatalogScratch _scratch = new();
    private readonly List<string> _warnings = [];

    public void Dispose() => _scratch.Dispose();

    private string IndexFile => Path.Combine(_scratch.Collection, HnswBackEnd.FileName);

    public static TheoryData<string> Damages() => ["truncated", "bytes overwritten in the middle", "replaced by random bytes", "deleted", "attributes altered"];

    [Theory]
    [MemberData(nameof(Damages))]
    public void a_damaged_hnsw_index_is_rebuilt_with_a_warning_and_answers_as_before(string damage)
    {
        var before = IndexAndAnswer(new HnswBackEnd());
        Damage(damage);

        Assert.Equal(before, Answers(readOnly: false));
        var warning = Assert.Single(_warnings);
        Assert.Contains("saved hnsw index", warning, StringComparison.Ordinal);
        Assert.Contains("rebuilt it from the catalog", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void a_read_only_open_rebuilds_in_memory_and_leaves_the_damaged_file_alone_until_reindex_replaces_it()
    {
        var before = IndexAndAnswer(new HnswBackEnd());
        Damage("bytes overwritten in the middle");
        var damaged = File.ReadAllBytes(IndexFile);

        Assert.Equal(before, Answers(readOnly: true));
        Assert.Contains("for this run", Assert.Single(_warnings), StringComparison.Ordinal);
        Assert.Equal(damaged, File.ReadAllBytes(IndexFile));

        using (var collection = FaceCollection.Open(_scratch.Collection, Options(readOnly: false)))
        {
            Assert.Equal(Photos, collection.Reindex());
        }

        _warnings.Clear();
        Assert.Equal(before, Answers(readOnly: true));
        Assert.Empty(_warnings);
        Assert.NotEqual(damaged, File.ReadAllBytes(IndexFile));
    }

    [Fact]
    public void an_intact_saved_index_is_loaded_without_a_warning()
    {
        var before = IndexAndAnswer(new HnswBackEnd());

        Assert.Equal(before, Answers(readOnly: true));
        Assert.Empty(_warnings);
    }

    [Fact]
    public void an_exact_collection_never_reads_an_index_file_so_garbage_there_changes_nothing()
    {
        var before = IndexAndAnswer(new ExactBackEnd());
        File.WriteAllBytes(IndexFile, RandomNumberGenerator.GetBytes(4096));

        Assert.Equal(before, Answers(readOnly: false));
        Assert.Empty(_warnings);
    }

    private List<long> IndexAndAnswer(IVectorBackEnd backEnd)
    {
        for (var i = 0; i < Photos; i++)
        {
            _scratch.Photo($"p{i:D2}.png", CatalogScratch.Colour(i));
        }

        var pipeline = new BandPipeline();
        using (var collection = FaceCollection.OpenOrCreate(_scratch.Collection, PipelineIdentity.Of(pipeline), Options(readOnly: false) with { BackEnd = backEnd }))
        {
            new CollectionIndexer(collection).Run(_scratch.Photos, pipeline, new IndexingOptions());
        }

        Assert.Equal(backEnd is HnswBackEnd, File.Exists(IndexFile));
        var answers = Answers(readOnly: true);
        Assert.Empty(_warnings);
        return answers;
    }

    // The top hit of a search for each photo's colour: with exact embeddings in the collection, each is that photo's face.
    private List<long> Answers(bool readOnly)
    {
        using var collection = FaceCollection.Open(_scratch.Collection, Options(readOnly));
        var top = Enumerable.Range(0, Photos).Select(i => collection.Search(BandPipeline.EmbeddingOf(CatalogScratch.Colour(i)), 1)[0].FaceId).ToList();
        Assert.Equal(Photos, top.Distinct().Count());
        return top;
    }

    private CollectionOptions Options(bool readOnly) => new() { ReadOnly = readOnly, Warnings = _warnings.Add };

    private void Damage(string damage)
    {
        switch (damage)
        {
            case "truncated":
                using (var file = File.OpenWrite(IndexFile))
                {
                    file.SetLength(file.Length / 3);
                }

                break;
            case "bytes overwritten in the middle":
                using (var file = new FileStream(IndexFile, FileMode.Open, FileAccess.Write))
                {
                    file.Position = file.Length / 2;
                    file.Write(RandomNumberGenerator.GetBytes(64));
                }

                break;
            case "replaced by random bytes":
                File.WriteAllBytes(IndexFile, RandomNumberGenerator.GetBytes((int)new FileInfo(IndexFile).Length));
                break;
            case "deleted":
                File.Delete(IndexFile);
                break;
            case "attributes altered":
                File.AppendAllText(HnswVectorIndex.AttributesPath(IndexFile), " ");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(damage), damage, "no such damage");
        }
    }
}
