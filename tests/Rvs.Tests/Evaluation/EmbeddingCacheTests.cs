using Rvs.Evaluation;

namespace Rvs.Tests.Evaluation;

public sealed class EmbeddingCacheTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "rvs-cache-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static EmbeddingSet Sample() => new(
        ["A/A_0001.jpg", "A/A_0002.jpg", "Zoë/Zoë_0001.jpg"],
        [1, 0, 0.6f, 0.8f, 0, -1],
        2,
        [false, true, false],
        12.5);

    [Fact]
    public void a_saved_set_loads_back_identical()
    {
        var cache = new EmbeddingCache(_directory);
        var saved = Sample();

        cache.Save("mtcnn-facenet", "model:v1/sha=abc", "lfw.tgz|1|2", saved);
        var loaded = cache.TryLoad("mtcnn-facenet", "model:v1/sha=abc", "lfw.tgz|1|2");

        Assert.NotNull(loaded);
        Assert.Equal(saved.Keys, loaded.Keys);
        Assert.Equal(saved.Vectors, loaded.Vectors);
        Assert.Equal(saved.DetectionFailed, loaded.DetectionFailed);
        Assert.Equal(2, loaded.Dimensions);
        Assert.Equal(12.5, loaded.Seconds);
        Assert.Single(Directory.GetFiles(_directory));
    }

    [Fact]
    public void another_model_id_or_source_misses_the_cache()
    {
        var cache = new EmbeddingCache(_directory);
        cache.Save("resnet", "v1", "source", Sample());

        Assert.Null(cache.TryLoad("resnet", "v2", "source"));
        Assert.Null(cache.TryLoad("resnet", "v1", "other source"));
        Assert.Null(cache.TryLoad("mtcnn-resnet", "v1", "source"));
    }

    [Fact]
    public void a_truncated_file_is_a_miss_not_an_error()
    {
        var cache = new EmbeddingCache(_directory);
        cache.Save("resnet", "v1", "source", Sample());
        var path = cache.PathFor("resnet", "v1", "source");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^5]);

        Assert.Null(cache.TryLoad("resnet", "v1", "source"));
    }

    [Fact]
    public void saving_again_replaces_the_entry()
    {
        var cache = new EmbeddingCache(_directory);
        cache.Save("resnet", "v1", "source", Sample());
        var second = new EmbeddingSet(["B/B_0001.jpg"], [0, 1], 2, [true], 3);

        cache.Save("resnet", "v1", "source", second);

        Assert.Equal(new[] { "B/B_0001.jpg" }, cache.TryLoad("resnet", "v1", "source")!.Keys);
        Assert.Single(Directory.GetFiles(_directory));
    }
}
