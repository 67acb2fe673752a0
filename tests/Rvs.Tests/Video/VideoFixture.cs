using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Rvs.Catalog;
using Rvs.Evaluation;
using Rvs.Server;
using Rvs.Testing;
using Rvs.Tests.Support;

namespace Rvs.Tests.Video;

/// <summary>
/// One collection holding the test video (Tony Blair, then Colin Powell from <see cref="VideoIndexingTests.PowellAppears"/>)
/// and two photos, for the server and browser tests; nothing is made where ffmpeg is missing (those tests skip).
/// </summary>
public sealed class VideoFixture : IAsyncLifetime
{
    private readonly List<WebApplication> _apps = [];

    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"rvs-video-server-{Guid.NewGuid():N}");

    public string Photos => Path.Combine(Root, "photos");

    public string CollectionDirectory => Path.Combine(Root, "collection");

    public string Video => Path.Combine(Photos, "clip.mp4");

    public async Task InitializeAsync()
    {
        if (VideoMaker.WhyUnavailable is not null)
        {
            return;
        }

        Directory.CreateDirectory(Photos);
        VideoIndexingTests.MakeFolder(Photos);
        using var collection = FaceCollection.OpenOrCreate(CollectionDirectory, PipelineIdentity.Of(SharedPipelines.FaceNet), new CollectionOptions());
        var summary = await new CollectionIndexer(collection).RunAsync(Photos, SharedPipelines.FaceNet, new IndexingOptions
        {
            Workers = 2,
            SamePersonDistance = VerificationThresholds.SamePersonDistance(SharedPipelines.FaceNet.ModelId),
        });
        Assert.Equal(3, summary.Indexed);
    }

    private ServerOptions Options => new() { CollectionDirectory = CollectionDirectory, Pipeline = SharedPipelines.FaceNet };

    public async Task<HttpClient> StartInMemoryAsync()
    {
        var app = RvsServer.Build(Options, builder => builder.WebHost.UseTestServer());
        _apps.Add(app);
        await app.StartAsync();
        return app.GetTestClient();
    }

    public async Task<Uri> StartKestrelAsync()
    {
        var app = RvsServer.Build(Options with { Urls = "http://127.0.0.1:0" });
        _apps.Add(app);
        await app.StartAsync();
        return new Uri(app.Urls.Single());
    }

    public async Task DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
