using System.Net;
using System.Text.Json;
using Rvs.Catalog;
using Rvs.Tests.Support;

namespace Rvs.Tests.Server;

/// <summary>What the server refuses: files that are not what was indexed, unknown Host names, wrong methods.</summary>
[Collection(ServerCollection.Name)]
public sealed class ServerHardeningTests(ServerFixture fixture) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rvs-hardening-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private async Task<(HttpClient Client, FaceCollection Collection, Dictionary<string, long> Images)> SmallServer(params string[] people)
    {
        var photos = Path.Combine(_root, "photos");
        Directory.CreateDirectory(photos);
        foreach (var person in people)
        {
            File.Copy(TestData.LfwPhoto(person, 1), Path.Combine(photos, person + ".jpg"));
        }

        var directory = Path.Combine(_root, "collection");
        var collection = FaceCollection.OpenOrCreate(directory, PipelineIdentity.Of(SharedPipelines.FaceNet));
        await new CollectionIndexer(collection).RunAsync(photos, SharedPipelines.FaceNet, new IndexingOptions { Workers = 1 });
        var images = collection.GetImages(ImageStatus.Indexed).ToDictionary(i => Path.GetFileNameWithoutExtension(i.Path), i => i.ImageId);
        return (await fixture.StartInMemoryAsync(fixture.Options(directory)), collection, images);
    }

    [Fact]
    public async Task A_photo_replaced_by_a_link_to_another_file_or_a_device_is_gone_not_served()
    {
        var (client, collection, images) = await SmallServer("Tony_Blair", "Colin_Powell", "Hugo_Chavez");
        using (collection)
        {
            var photos = Path.Combine(_root, "photos");
            File.Delete(Path.Combine(photos, "Tony_Blair.jpg"));
            File.CreateSymbolicLink(Path.Combine(photos, "Tony_Blair.jpg"), "/etc/passwd");
            File.Delete(Path.Combine(photos, "Colin_Powell.jpg"));
            File.CreateSymbolicLink(Path.Combine(photos, "Colin_Powell.jpg"), "/dev/zero");

            using var passwd = await client.GetAsync($"/api/images/{images["Tony_Blair"]}");
            using var zero = await client.GetAsync($"/api/images/{images["Colin_Powell"]}");
            using var intact = await client.GetAsync($"/api/images/{images["Hugo_Chavez"]}");

            Assert.Equal(HttpStatusCode.Gone, passwd.StatusCode);
            Assert.DoesNotContain("root:", await passwd.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.Gone, zero.StatusCode);
            Assert.Contains("link", JsonDocument.Parse(await zero.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, intact.StatusCode);
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(photos, "Hugo_Chavez.jpg")), await intact.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task A_photo_whose_file_was_rewritten_is_gone()
    {
        var (client, collection, images) = await SmallServer("Tony_Blair");
        using (collection)
        {
            var path = Path.Combine(_root, "photos", "Tony_Blair.jpg");
            var bytes = await File.ReadAllBytesAsync(path);
            bytes[^10] ^= 0xFF;
            await File.WriteAllBytesAsync(path, bytes);

            using var response = await client.GetAsync($"/api/images/{images["Tony_Blair"]}");

            Assert.Equal(HttpStatusCode.Gone, response.StatusCode);
        }
    }

    [Theory]
    [InlineData("HEAD", "/api/stats", "GET")]
    [InlineData("PUT", "/api/faces/1", "GET")]
    [InlineData("PATCH", "/api/images/1", "GET, DELETE")]
    [InlineData("GET", "/api/search", "POST")]
    public async Task A_method_a_route_does_not_take_is_405_with_allow(string method, string path, string allow)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);

        using var response = await fixture.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(allow.Split(", ").Order(), response.Content.Headers.Allow.Order());
    }

    [Fact]
    public async Task A_request_naming_another_host_is_refused()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/stats");
        request.Headers.Host = "attacker.example";

        using var response = await fixture.Client.SendAsync(request);
        using var local = await fixture.Client.GetAsync("/api/stats");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, local.StatusCode);
    }

    [Fact]
    public async Task Thumbnails_are_cached_for_good_because_face_ids_are_never_reused()
    {
        using var response = await fixture.Client.GetAsync("/api/faces/1/thumbnail");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl!.Public);
        Assert.Contains(response.Headers.CacheControl.Extensions, e => e.Name == "immutable");
    }
}
