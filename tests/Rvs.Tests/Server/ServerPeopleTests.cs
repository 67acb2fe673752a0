using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Rvs.Server;

namespace Rvs.Tests.Server;

/// <summary>The people routes, on a real Kestrel server on 127.0.0.1 over a clustered copy of the fixture's collection.</summary>
[Collection(ServerCollection.Name)]
public sealed class ServerPeopleTests(ServerFixture fixture)
{
    private const string Key = "people-key-0123456789";

    private static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    private static async Task<HttpResponseMessage> Post(HttpClient client, string path, object? body, string? key = Key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (key is not null)
        {
            request.Headers.Add(RvsServer.ApiKeyHeader, key);
        }

        return await client.SendAsync(request);
    }

    private static async Task<JsonElement[]> AllPersons(HttpClient client)
    {
        var persons = new List<JsonElement>();
        for (var offset = 0; ; offset += 4)
        {
            var page = await Json(await client.GetAsync($"/api/people?offset={offset}&limit=4"));
            var items = page.GetProperty("persons").EnumerateArray().ToList();
            persons.AddRange(items);
            if (items.Count < 4)
            {
                Assert.Equal(persons.Count, page.GetProperty("total").GetInt32());
                return [.. persons];
            }
        }
    }

    [Fact]
    public async Task A_photo_added_through_the_api_to_a_clustered_collection_joins_its_person()
    {
        using var client = new HttpClient { BaseAddress = await fixture.StartKestrelAsync(fixture.Options(fixture.ClusteredCopy()) with { ApiKey = Key }) };
        var before = (await AllPersons(client)).Single(p => p.GetProperty("name").GetString() == "Colin_Powell");

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/images")
        {
            Content = ServerFixture.PhotoForm(File.ReadAllBytes(ServerFixture.QueryPhoto("Colin_Powell"))),
        };
        request.Headers.Add(RvsServer.ApiKeyHeader, Key);
        var added = await Json(await client.SendAsync(request), HttpStatusCode.Created);
        var face = added.GetProperty("faces")[0].GetProperty("face_id").GetInt64();

        var after = await Json(await client.GetAsync($"/api/people/{before.GetProperty("id").GetInt64()}?limit=200"));
        Assert.Equal(before.GetProperty("face_count").GetInt32() + 1, after.GetProperty("face_count").GetInt32());
        Assert.Contains(face, after.GetProperty("faces").EnumerateArray().Select(f => f.GetProperty("face_id").GetInt64()));
    }

    [Fact]
    public async Task People_are_listed_in_pages_named_with_the_key_and_a_search_is_grouped_under_the_name()
    {
        using var client = new HttpClient { BaseAddress = await fixture.StartKestrelAsync(fixture.Options(fixture.ClusteredCopy()) with { ApiKey = Key }) };
        var persons = await AllPersons(client);
        var colin = persons.Single(p => p.GetProperty("name").GetString() == "Colin_Powell");
        var id = colin.GetProperty("id").GetInt64();
        Assert.Equal(ServerFixture.PhotosPerPerson, colin.GetProperty("face_count").GetInt32());
        using (var thumbnail = await client.GetAsync(colin.GetProperty("thumbnail_url").GetString()))
        {
            Assert.Equal("image/jpeg", thumbnail.Content.Headers.ContentType?.MediaType);
        }

        var page = await Json(await client.GetAsync($"/api/people/{id}?offset=1&limit=2"));
        Assert.Equal((ServerFixture.PhotosPerPerson, 2), (page.GetProperty("face_count").GetInt32(), page.GetProperty("faces").GetArrayLength()));

        Assert.Equal(HttpStatusCode.Unauthorized, (await Post(client, $"/api/people/{id}/name", new { name = "Colin Powell" }, key: null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Post(client, $"/api/people/{id}/name", new { name = "Colin Powell" }, key: "wrong")).StatusCode);
        var named = await Json(await Post(client, $"/api/people/{id}/name", new { name = "  Colin Powell " }));
        Assert.Equal("Colin Powell", named.GetProperty("name").GetString());

        var photo = File.ReadAllBytes(ServerFixture.QueryPhoto("Colin_Powell"));
        var search = await Json(await client.PostAsync("/api/search", ServerFixture.PhotoForm(photo, fields: ("k", "8"))));
        Assert.StartsWith("match", search.GetProperty("answer").GetString(), StringComparison.Ordinal);
        var group = search.GetProperty("persons")[0];
        Assert.Equal(("Colin Powell", id, ServerFixture.PhotosPerPerson), (group.GetProperty("name").GetString(), group.GetProperty("id").GetInt64(), group.GetProperty("face_count").GetInt32()));
        var best = search.GetProperty("hits")[0].GetProperty("face_id").GetInt64();
        Assert.Equal(best, group.GetProperty("best_face_id").GetInt64());
        Assert.Contains(best, group.GetProperty("face_ids").EnumerateArray().Select(f => f.GetInt64()));

        var similar = await Json(await client.GetAsync($"/api/faces/{best}/similar?k=4"));
        Assert.Equal("Colin Powell", similar.GetProperty("persons")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Split_not_this_person_and_merge_change_the_person_and_bad_requests_get_one_line_errors()
    {
        using var client = new HttpClient { BaseAddress = await fixture.StartKestrelAsync(fixture.Options(fixture.ClusteredCopy()) with { ApiKey = Key }) };
        var tony = (await AllPersons(client)).Single(p => p.GetProperty("name").GetString() == "Tony_Blair").GetProperty("id").GetInt64();
        var faces = (await Json(await client.GetAsync($"/api/people/{tony}"))).GetProperty("faces").EnumerateArray().Select(f => f.GetProperty("face_id").GetInt64()).ToList();

        var split = await Json(await Post(client, $"/api/people/{tony}/split", new { face_ids = new[] { faces[0] } }));
        var other = split.GetProperty("id").GetInt64();
        Assert.Equal([faces[0]], split.GetProperty("faces").EnumerateArray().Select(f => f.GetProperty("face_id").GetInt64()));
        var left = await Json(await Post(client, $"/api/people/{tony}/faces/{faces[1]}/not-this-person", null));
        Assert.Equal(faces.Count - 2, left.GetProperty("face_count").GetInt32());
        var merged = await Json(await Post(client, $"/api/people/{tony}/merge", new { other }));
        Assert.Equal(faces.Count - 1, merged.GetProperty("face_count").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/people/{other}")).StatusCode);

        var unknown = await Json(await Post(client, "/api/people/999999/name", new { name = "x" }), HttpStatusCode.NotFound);
        Assert.Contains("no person 999999", unknown.GetProperty("error").GetString(), StringComparison.Ordinal);
        using var broken = new StringContent("{not json", System.Text.Encoding.UTF8, "application/json");
        using var brokenRequest = new HttpRequestMessage(HttpMethod.Post, $"/api/people/{tony}/merge") { Content = broken };
        brokenRequest.Headers.Add(RvsServer.ApiKeyHeader, Key);
        var badJson = await Json(await client.SendAsync(brokenRequest), HttpStatusCode.BadRequest);
        Assert.Contains("not the JSON", badJson.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await Post(client, $"/api/people/{tony}/merge", new { other = tony })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/people?limit=100000")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/people/abc")).StatusCode);
    }

    [Fact]
    public async Task Corrections_are_refused_on_a_server_without_a_key()
    {
        var response = await Post(fixture.Client, "/api/people/1/name", new { name = "x" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
