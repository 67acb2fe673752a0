using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Rvs.Catalog;
using Rvs.Server;
using Rvs.Tests.Support;
using SkiaSharp;

namespace Rvs.Tests.Server;

/// <summary>
/// One small real collection for every server test: six LFW people, five photos each, indexed with the real
/// mtcnn-facenet pipeline (about 30 photos, a few seconds), and one in-memory server over it.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public static readonly string[] People =
        ["George_W_Bush", "Colin_Powell", "Tony_Blair", "Donald_Rumsfeld", "Gerhard_Schroeder", "Ariel_Sharon"];

    public const int PhotosPerPerson = 5;

    private readonly List<WebApplication> _apps = [];

    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"rvs-server-tests-{Guid.NewGuid():N}");

    public string CollectionDirectory => Path.Combine(Root, "collection");

    public HttpClient Client { get; private set; } = null!;

    /// <summary>A photo of the person that is not in the collection, to search with.</summary>
    public static string QueryPhoto(string person) => TestData.LfwPhoto(person, PhotosPerPerson + 1);

    public async Task InitializeAsync()
    {
        var photos = Path.Combine(Root, "photos");
        foreach (var person in People)
        {
            Directory.CreateDirectory(Path.Combine(photos, person));
            for (var n = 1; n <= PhotosPerPerson; n++)
            {
                var source = TestData.LfwPhoto(person, n);
                File.Copy(source, Path.Combine(photos, person, Path.GetFileName(source)));
            }
        }

        using (var collection = FaceCollection.OpenOrCreate(CollectionDirectory, Rvs.Catalog.PipelineIdentity.Of(SharedPipelines.FaceNet), new CollectionOptions()))
        {
            var summary = await new CollectionIndexer(collection).RunAsync(photos, SharedPipelines.FaceNet,
                new IndexingOptions { LabelFromFolder = true, Workers = 2 });
            Assert.Equal(People.Length * PhotosPerPerson, summary.Indexed);
        }

        Client = await StartInMemoryAsync(Options());
    }

    public ServerOptions Options(string? collection = null) => new()
    {
        CollectionDirectory = collection ?? CollectionDirectory,
        Pipeline = SharedPipelines.FaceNet,
    };

    /// <summary>A server on the in-memory test host, stopped with the fixture; <paramref name="configure"/> may add to it (a log provider).</summary>
    public async Task<HttpClient> StartInMemoryAsync(ServerOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        var app = RvsServer.Build(options, builder =>
        {
            builder.WebHost.UseTestServer();
            configure?.Invoke(builder);
        });
        _apps.Add(app);
        await app.StartAsync();
        return app.GetTestClient();
    }

    /// <summary>A real Kestrel server on a free loopback port; returns its base address.</summary>
    public async Task<Uri> StartKestrelAsync(ServerOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        var app = RvsServer.Build(options with { Urls = "http://127.0.0.1:0" }, configure);
        _apps.Add(app);
        await app.StartAsync();
        return new Uri(app.Urls.Single());
    }

    /// <summary>A private copy of the collection, for tests that change it.</summary>
    public string CopyCollection()
    {
        var copy = Path.Combine(Root, $"copy-{Guid.NewGuid():N}");
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.EnumerateFiles(CollectionDirectory))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        return copy;
    }

    /// <summary>A private copy of the collection, clustered into persons (named after the folders) as `rvs people recluster` does.</summary>
    public string ClusteredCopy()
    {
        var copy = CopyCollection();
        var options = Rvs.Evaluation.MeasuredClusteringOptions.ForModel(SharedPipelines.FaceNet.ModelId, FaceCollection.CountFaces(copy));
        Rvs.People.PeopleStore.ForCollection(copy).Recluster(options);
        return copy;
    }

    public static MultipartFormDataContent PhotoForm(byte[] bytes, string fileName = "photo.jpg", string contentType = "image/jpeg", params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        form.Add(file, "photo", fileName);
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }

        return form;
    }

    /// <summary>A flat-colour photo: decodable, but with no face in it.</summary>
    public static byte[] FacelessPng()
    {
        using var bitmap = new SKBitmap(240, 180);
        bitmap.Erase(new SKColor(120, 140, 160));
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    public async Task DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; failing the run over it is not.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "server";
}
