using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Rvs.Catalog;
using Rvs.Server;
using Rvs.Testing;
using Rvs.Tests.Support;

namespace Rvs.Tests.Server;

/// <summary>Two servers over one shared catalog on PostgreSQL, with no collection directory between them.</summary>
[Trait(TestTier.Name, TestTier.Full)]
public sealed class SharedCatalogServerTests : IAsyncLifetime
{
    private static readonly string[] People = ["Colin_Powell", "Tony_Blair"];

    private readonly string _photos = Directory.CreateTempSubdirectory("rvs-server-catalog-").FullName;
    private readonly List<WebApplication> _apps = [];
    private readonly Lazy<PostgresDatabase> _database = new(() => new PostgresDatabase());

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }

        if (_database.IsValueCreated)
        {
            _database.Value.Dispose();
        }

        Directory.Delete(_photos, recursive: true);
    }

    [PostgresFact]
    public async Task two_servers_on_one_catalog_answer_alike_and_show_each_others_thumbnails()
    {
        var uri = _database.Value.Uri;
        foreach (var person in People)
        {
            Directory.CreateDirectory(Path.Combine(_photos, person));
            for (var i = 1; i <= 3; i++)
            {
                File.Copy(TestData.LfwPhoto(person, i), Path.Combine(_photos, person, $"{person}_{i:0000}.jpg"));
            }
        }

        using (var collection = FaceCollection.OpenOrCreate(uri, PipelineIdentity.Of(SharedPipelines.FaceNet)))
        {
            await new CollectionIndexer(collection).RunAsync(_photos, SharedPipelines.FaceNet, new IndexingOptions { LabelFromFolder = true, Workers = 2 });
        }

        // The photos' folder goes: a server elsewhere would not see it, and needs nothing from it to answer.
        Directory.Delete(_photos, recursive: true);
        Directory.CreateDirectory(_photos);
        var first = await StartAsync();
        var second = await StartAsync();

        var answers = new List<JsonElement>();
        foreach (var client in new[] { first, second })
        {
            using var form = ServerFixture.PhotoForm(File.ReadAllBytes(TestData.LfwPhoto("Tony_Blair", 10)));
            using var response = await client.PostAsync("/api/search", form);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            answers.Add(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("hits").Clone());
        }

        Assert.Equal("Tony_Blair", answers[0][0].GetProperty("label").GetString());
        Assert.Equal(answers[0].EnumerateArray().Select(h => h.GetProperty("face_id").GetInt64()), answers[1].EnumerateArray().Select(h => h.GetProperty("face_id").GetInt64()));
        using var thumbnail = await second.GetAsync(answers[0][0].GetProperty("thumbnail_url").GetString());
        Assert.Equal(HttpStatusCode.OK, thumbnail.StatusCode);
        Assert.Equal("image/jpeg", thumbnail.Content.Headers.ContentType?.MediaType);

        using var people = await first.GetAsync("/api/people");
        Assert.Equal(HttpStatusCode.NotFound, people.StatusCode);
        Assert.Contains("shared catalog", await people.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The catalog's connection pool on /metrics, as Npgsql counts it: the searches above opened connections,
        // now back in the pool (both servers' pools, since they share this process).
        using var scraped = await first.GetAsync("/metrics");
        var metrics = Exposition.Parse(await scraped.Content.ReadAsStringAsync());
        Assert.InRange(metrics.Value("rvs_postgres_pool_connections", new() { ["state"] = "idle" }), 1, 200);
        Assert.Equal(0, metrics.Value("rvs_postgres_pool_connections", new() { ["state"] = "used" }));
        Assert.True(metrics.Value("rvs_postgres_pool_max_connections") >= 1);
        Assert.Equal(0, metrics.Value("rvs_postgres_pool_pending_requests"));
    }

    private async Task<HttpClient> StartAsync()
    {
        var app = RvsServer.Build(new ServerOptions { CollectionDirectory = _database.Value.Uri, Pipeline = SharedPipelines.FaceNet },
            builder => builder.WebHost.UseTestServer());
        _apps.Add(app);
        await app.StartAsync();
        return app.GetTestClient();
    }
}
