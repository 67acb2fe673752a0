using System.Net;
using System.Text.Json;
using Rvs.Catalog;
using Rvs.Tests.Support;

namespace Rvs.Tests.Server;

/// <summary>
/// A running server follows what another writer does to its collection (here a second collection handle, as
/// `rvs index` or `rvs remove` in another process would be), without a restart: a real Kestrel server on 127.0.0.1.
/// </summary>
[Collection(ServerCollection.Name)]
[Trait(TestTier.Name, TestTier.Full)]
public sealed class ServerRefreshTests(ServerFixture fixture) : IDisposable
{
    private const string Newcomer = "Hugo_Chavez";

    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromMinutes(2) };
    private readonly string _photos = Directory.CreateTempSubdirectory("rvs-refresh-").FullName;

    public void Dispose()
    {
        _client.Dispose();
        Directory.Delete(_photos, recursive: true);
    }

    [Fact]
    public async Task Photos_another_writer_adds_are_found_and_those_it_removes_are_gone_without_a_restart()
    {
        var directory = fixture.CopyCollection();
        var address = await fixture.StartKestrelAsync(fixture.Options(directory) with { CatalogCheckInterval = TimeSpan.Zero });
        var query = await File.ReadAllBytesAsync(TestData.LfwPhoto(Newcomer, 5));
        var (facesBefore, before) = (await IndexedVectors(address), await TopLabel(address, query));

        Directory.CreateDirectory(Path.Combine(_photos, Newcomer));
        for (var n = 1; n <= 3; n++)
        {
            File.Copy(TestData.LfwPhoto(Newcomer, n), Path.Combine(_photos, Newcomer, $"{n}.jpg"));
        }

        long added;
        using (var writer = FaceCollection.Open(directory))
        {
            added = (await new CollectionIndexer(writer).RunAsync(_photos, SharedPipelines.FaceNet, new IndexingOptions { LabelFromFolder = true, Workers = 1 })).Faces;
        }

        var (facesAfterIndex, afterIndex) = (await IndexedVectors(address), await TopLabel(address, query));
        var others = await TopLabel(address, await File.ReadAllBytesAsync(ServerFixture.QueryPhoto("Tony_Blair")));

        using (var writer = FaceCollection.Open(directory))
        {
            writer.Remove([Path.Combine(_photos, Newcomer)]);
        }

        var (facesAfterRemove, afterRemove) = (await IndexedVectors(address), await TopLabel(address, query));

        Assert.NotEqual(Newcomer, before);
        Assert.True(added >= 3, $"indexing the newcomer's 3 photos found {added} faces");
        Assert.Equal(facesBefore + added, facesAfterIndex);
        Assert.Equal(Newcomer, afterIndex);
        Assert.Equal("Tony_Blair", others);
        Assert.Equal(facesBefore, facesAfterRemove);
        Assert.Equal(before, afterRemove);
    }

    private async Task<long> IndexedVectors(Uri address)
    {
        using var stats = JsonDocument.Parse(await _client.GetStringAsync(new Uri(address, "/api/stats")));
        return stats.RootElement.GetProperty("indexed_vectors").GetInt64();
    }

    private async Task<string?> TopLabel(Uri address, byte[] photo)
    {
        using var response = await _client.PostAsync(new Uri(address, "/api/search"), ServerFixture.PhotoForm(photo));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("hits")[0].GetProperty("label").GetString();
    }
}
