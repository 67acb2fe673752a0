using Rvs.Catalog;
using Rvs.Errors;
using Rvs.Evaluation;
using Rvs.Models;
using Rvs.Pipelines;
using Rvs.Tests.Catalog;
using Rvs.Tests.Support;
using SkiaSharp;

namespace Rvs.Tests.Pipelines;

public sealed class ModelIdTests : IDisposable
{
    private readonly CatalogScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void a_model_id_carries_the_sha256_of_its_model_files()
    {
        var files = new[] { ModelFiles.PNet, ModelFiles.RNet, ModelFiles.ONet, ModelFiles.MobileFaceNet }.Select(ModelFiles.FaceModel).ToArray();
        using var combined = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            combined.AppendData(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file)));
        }

        var expected = Convert.ToHexStringLower(combined.GetHashAndReset())[..ModelFileHash.ShortLength];
        Assert.Equal($"{ModelIds.FaceNetRecipe}{ModelIds.MirrorSuffix}/sha256:{expected}", ModelIds.For(PipelineNames.MtcnnFaceNet));
        Assert.Equal($"{ModelIds.FaceNetRecipe}/sha256:{expected}", ModelIds.For(PipelineNames.MtcnnFaceNet, addMirror: false));
        // The loaded pipeline names the same files, so its id is the one known before loading.
        Assert.Equal(ModelIds.For(PipelineNames.MtcnnFaceNet), SharedPipelines.FaceNet.ModelId);
    }

    [Fact]
    public void changing_one_byte_of_a_model_file_changes_the_id()
    {
        var copy = Path.Combine(_scratch.Root, "app");
        Directory.CreateDirectory(Path.Combine(copy, "models"));
        foreach (var name in new[] { ModelFiles.PNet, ModelFiles.RNet, ModelFiles.ONet, ModelFiles.MobileFaceNet })
        {
            File.Copy(ModelFiles.FaceModel(name), Path.Combine(copy, "models", name + ".onnx"));
        }

        CopyResNetFiles(copy);
        var before = ModelIds.For(PipelineNames.MtcnnFaceNet, baseDirectory: copy);
        Assert.Equal(ModelIds.For(PipelineNames.MtcnnFaceNet), before);

        var mobileFaceNet = Path.Combine(copy, "models", ModelFiles.MobileFaceNet + ".onnx");
        var bytes = File.ReadAllBytes(mobileFaceNet);
        bytes[^1] ^= 1;
        File.WriteAllBytes(mobileFaceNet, bytes);
        File.SetLastWriteTimeUtc(mobileFaceNet, File.GetLastWriteTimeUtc(mobileFaceNet).AddSeconds(1));

        var after = ModelIds.For(PipelineNames.MtcnnFaceNet, baseDirectory: copy);
        Assert.NotEqual(before, after);
        Assert.StartsWith(ModelIds.FaceNetRecipe + ModelIds.MirrorSuffix + "/sha256:", after, StringComparison.Ordinal);
        // The other pipelines do not use that file.
        Assert.Equal(ModelIds.For(PipelineNames.ResNet), ModelIds.For(PipelineNames.ResNet, baseDirectory: copy));
    }

    [Fact]
    public void a_collection_recorded_before_ids_carried_the_hash_opens_with_the_shipped_models()
    {
        var recipeOnly = ModelIds.FaceNetRecipe + ModelIds.MirrorSuffix;
        IndexOnePhotoAsOldCatalog(recipeOnly);
        // Reading alone never writes (a read-only open of an old catalog asks for an upgrade); opening to write upgrades it.
        using (FaceCollection.Open(_scratch.Collection, _scratch.Options))
        {
        }

        var settings = FaceCollection.ReadSettings(_scratch.Collection);

        Assert.Equal(ModelIds.For(PipelineNames.MtcnnFaceNet), settings.Pipeline.ModelId);
        Assert.Equal(0, CatalogScratch.Scalar(_scratch.Collection, $"SELECT count(*) FROM embeddings WHERE model_id <> '{settings.Pipeline.ModelId}'"));
        Assert.Equal(1, CatalogScratch.Scalar(_scratch.Collection, "SELECT count(*) FROM embeddings"));
        using var pipeline = PipelineFactory.CreateMatching(settings.Pipeline.Name, settings.Pipeline.ModelId);
        Assert.Equal(settings.Pipeline.ModelId, pipeline.ModelId);
    }

    [Fact]
    public void a_collection_made_with_other_model_files_is_refused_as_a_model_mismatch()
    {
        var otherFiles = ModelIds.FaceNetRecipe + ModelIds.MirrorSuffix + "/sha256:000000000000";
        IndexOnePhotoAsOldCatalog(otherFiles);
        var settings = FaceCollection.ReadSettings(_scratch.Collection);
        Assert.Equal(otherFiles, settings.Pipeline.ModelId);

        var refused = Assert.Throws<ModelMismatchException>(() => PipelineFactory.CreateMatching(settings.Pipeline.Name, settings.Pipeline.ModelId));

        Assert.Contains(otherFiles, refused.Message, StringComparison.Ordinal);
        Assert.Throws<ModelMismatchException>(() => PipelineFactory.CreateMatching(PipelineNames.MtcnnFaceNet, "mtcnn+mobilefacenet/v0"));
    }

    [Fact]
    public void an_eval_cache_entry_saved_under_the_recipe_only_id_is_found_under_the_current_one()
    {
        var cache = new EmbeddingCache(Path.Combine(_scratch.Root, "cache"));
        var set = new EmbeddingSet(["A/A_0001.jpg"], [0.6f, 0.8f], 2, [false], 3.5);
        cache.Save(PipelineNames.MtcnnFaceNet, ModelIds.FaceNetRecipe, "lfw", set);

        var found = cache.TryLoad(PipelineNames.MtcnnFaceNet, ModelIds.Upgrade(ModelIds.FaceNetRecipe), "lfw");

        Assert.Equal(set.Vectors, found?.Vectors);
        Assert.True(File.Exists(cache.PathFor(PipelineNames.MtcnnFaceNet, ModelIds.Upgrade(ModelIds.FaceNetRecipe), "lfw")));
        Assert.Null(cache.TryLoad(PipelineNames.MtcnnFaceNet, ModelIds.FaceNetRecipe + "/sha256:000000000000", "lfw"));
    }

    /// <summary>One photo indexed under <paramref name="modelId"/>, then the catalog set back to version 2, as rvs wrote it before ids carried the hash.</summary>
    private void IndexOnePhotoAsOldCatalog(string modelId)
    {
        var pipeline = new BandPipeline(PipelineNames.MtcnnFaceNet, modelId);
        _scratch.Photo("r0.png", new SKColor(200, 0, 0));
        using (var collection = _scratch.Open(pipeline))
        {
            new CollectionIndexer(collection).Run(_scratch.Photos, pipeline, new IndexingOptions { Workers = 1 });
        }

        CatalogScratch.RollBackTo(_scratch.Collection, 2);
    }

    private static void CopyResNetFiles(string baseDirectory)
    {
        foreach (var file in new[] { ModelFiles.ResNet18(), ModelFiles.ResNetPreprocess() })
        {
            var relative = Path.GetRelativePath(AppContext.BaseDirectory, file);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(baseDirectory, relative))!);
            File.Copy(file, Path.Combine(baseDirectory, relative));
        }
    }
}
