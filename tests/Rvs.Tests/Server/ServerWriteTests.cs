using System.Net;
using System.Text.Json;
using Rvs.Server;
using Rvs.Tests.Support;

namespace Rvs.Tests.Server;

[Collection(ServerCollection.Name)]
public sealed class ServerWriteTests(ServerFixture fixture)
{
    [Fact]
    public async Task Adding_and_removing_photos_is_refused_without_a_configured_key()
    {
        var photo = File.ReadAllBytes(ServerFixture.QueryPhoto("Ariel_Sharon"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/images") { Content = ServerFixture.PhotoForm(photo) };
        request.Headers.Add(RvsServer.ApiKeyHeader, "anything");
        using var add = await fixture.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, add.StatusCode);
        Assert.Contains("disabled", await add.Content.ReadAsStringAsync());

        using var delete = await fixture.Client.DeleteAsync("/api/images/1");
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
    }

    [Fact]
    public async Task With_a_key_photos_are_added_found_served_and_removed()
    {
        const string Key = "test-key-0123456789";
        var client = await fixture.StartInMemoryAsync(fixture.Options(fixture.CopyCollection()) with { ApiKey = Key });
        var photoBytes = File.ReadAllBytes(TestData.LfwPhoto("Hugo_Chavez", 1));

        HttpRequestMessage Add(string? key, byte[] bytes)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/images")
            {
                Content = ServerFixture.PhotoForm(bytes, fields: ("label", "Hugo_Chavez")),
            };
            if (key is not null)
            {
                request.Headers.Add(RvsServer.ApiKeyHeader, key);
            }

            return request;
        }

        using (var noKey = await client.SendAsync(Add(null, photoBytes)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        }

        using (var wrongKey = await client.SendAsync(Add("test-key-0123456788", photoBytes)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        }

        using (var notImage = await client.SendAsync(Add(Key, "GIF89a but not really"u8.ToArray())))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, notImage.StatusCode);
        }

        long imageId;
        using (var added = await client.SendAsync(Add(Key, photoBytes)))
        {
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
            var body = JsonDocument.Parse(await added.Content.ReadAsStringAsync()).RootElement;
            imageId = body.GetProperty("image_id").GetInt64();
            Assert.Equal($"/api/images/{imageId}", added.Headers.Location?.ToString());
            Assert.Equal("indexed", body.GetProperty("status").GetString());
            Assert.True(body.GetProperty("faces").GetArrayLength() >= 1);
        }

        using (var served = await client.GetAsync($"/api/images/{imageId}"))
        {
            Assert.Equal("image/jpeg", served.Content.Headers.ContentType?.MediaType);
            Assert.Equal(photoBytes, await served.Content.ReadAsByteArrayAsync());
        }

        // Another photo of him: the added one is found (a search with the added photo itself leaves it out).
        var anotherPhoto = File.ReadAllBytes(TestData.LfwPhoto("Hugo_Chavez", 2));
        Assert.Equal("Hugo_Chavez", await FirstLabel(client, anotherPhoto));

        using (var wrongDelete = new HttpRequestMessage(HttpMethod.Delete, $"/api/images/{imageId}"))
        {
            wrongDelete.Headers.Add(RvsServer.ApiKeyHeader, "nope");
            using var refused = await client.SendAsync(wrongDelete);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using (var delete = new HttpRequestMessage(HttpMethod.Delete, $"/api/images/{imageId}"))
        {
            delete.Headers.Add(RvsServer.ApiKeyHeader, Key);
            using var removed = await client.SendAsync(delete);
            Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        }

        using (var again = new HttpRequestMessage(HttpMethod.Delete, $"/api/images/{imageId}"))
        {
            again.Headers.Add(RvsServer.ApiKeyHeader, Key);
            using var gone = await client.SendAsync(again);
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        Assert.NotEqual("Hugo_Chavez", await FirstLabel(client, anotherPhoto));
        using var image = await client.GetAsync($"/api/images/{imageId}");
        Assert.Equal(HttpStatusCode.NotFound, image.StatusCode);
    }

    private static async Task<string?> FirstLabel(HttpClient client, byte[] photo)
    {
        using var response = await client.PostAsync("/api/search", ServerFixture.PhotoForm(photo, fields: ("k", "1")));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return body.GetProperty("hits")[0].GetProperty("label").GetString();
    }
}
