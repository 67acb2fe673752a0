using System.Net;
using System.Text.Json;
using Rvs.Catalog;
using Rvs.Server;
using Rvs.Tests.Support;

namespace Rvs.Tests.Server;

/// <summary>
/// /metrics tells what the server did: each test starts its own server (its own registry), scrapes, does one thing
/// and scrapes again, so only that thing can have moved the numbers.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ServerMetricsTests(ServerFixture fixture)
{
    [Fact]
    public async Task A_search_counts_its_verdict_and_its_durations_and_the_index_gauge_holds_the_collections_faces()
    {
        var client = await fixture.StartInMemoryAsync(fixture.Options());
        var before = await Scrape(client);

        using var response = await client.PostAsync("/api/search", ServerFixture.PhotoForm(File.ReadAllBytes(ServerFixture.QueryPhoto("Tony_Blair"))));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var verdict = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("verdict").GetString();
        var after = await Scrape(client);
        using var stats = JsonDocument.Parse(await client.GetStringAsync("/api/stats"));

        Assert.NotNull(verdict);
        foreach (var word in new[] { "match", "none", "unjudged", "no_face" })
        {
            var searches = new Dictionary<string, string> { ["kind"] = "photo", ["verdict"] = word };
            Assert.Equal(before.Value("rvs_searches_total", searches) + (word == verdict ? 1 : 0), after.Value("rvs_searches_total", searches));
        }

        Assert.Equal(before.Value("rvs_search_duration_seconds_count", new() { ["kind"] = "photo" }) + 1,
            after.Value("rvs_search_duration_seconds_count", new() { ["kind"] = "photo" }));
        Assert.Equal(before.Value("rvs_query_embedding_duration_seconds_count") + 1, after.Value("rvs_query_embedding_duration_seconds_count"));
        Assert.True(after.Value("rvs_search_duration_seconds_sum", new() { ["kind"] = "photo" }) > 0);
        Assert.Equal(0, after.Value("rvs_partial_answers_total", new() { ["kind"] = "photo" }));

        var kind = stats.RootElement.GetProperty("index_kind").GetString()!;
        Assert.Equal(FaceCollection.CountFaces(fixture.CollectionDirectory), after.Value("rvs_index_faces", new() { ["kind"] = kind }));
        Assert.Equal(1, after.Value("http_request_duration_seconds_count", new() { ["endpoint"] = "/api/search", ["method"] = "POST", ["code"] = "2xx" }));
        Assert.DoesNotContain(after.Samples, s => s.Name == "rvs_garnet_shard_up");
        Assert.DoesNotContain(after.Samples, s => s.Name.StartsWith("rvs_postgres_", StringComparison.Ordinal)); // a collection directory has no pool
    }

    [Fact]
    public async Task Similar_searches_no_face_answers_and_refused_uploads_are_counted_by_kind_and_reason()
    {
        var client = await fixture.StartInMemoryAsync(fixture.Options() with { MaxUploadBytes = 64 * 1024 });
        var before = await Scrape(client);

        using var similar = await client.GetAsync("/api/faces/1/similar");
        using var unknown = await client.GetAsync("/api/faces/999999/similar");
        using var faceless = await client.PostAsync("/api/search", ServerFixture.PhotoForm(ServerFixture.FacelessPng()));
        using var tooLarge = await client.PostAsync("/api/search", ServerFixture.PhotoForm(new byte[200 * 1024]));
        var after = await Scrape(client);

        Assert.Equal(HttpStatusCode.OK, similar.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.OK, faceless.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        var similarVerdict = JsonDocument.Parse(await similar.Content.ReadAsStringAsync()).RootElement.GetProperty("verdict").GetString()!;
        Assert.Equal(1, after.Value("rvs_searches_total", new() { ["kind"] = "similar", ["verdict"] = similarVerdict }) - before.Value("rvs_searches_total", new() { ["kind"] = "similar", ["verdict"] = similarVerdict }));
        // The unknown face's refused search is neither counted nor timed.
        Assert.Equal(1, after.Value("rvs_search_duration_seconds_count", new() { ["kind"] = "similar" }));
        Assert.Equal(1, after.Value("rvs_searches_total", new() { ["kind"] = "photo", ["verdict"] = "no_face" }));
        Assert.Equal(1, after.Value("rvs_rejected_requests_total", new() { ["reason"] = "upload_too_large" }));
        Assert.Equal(0, after.Value("rvs_rejected_requests_total", new() { ["reason"] = "upload_budget_full" }));
        Assert.Equal(1, after.Value("http_request_duration_seconds_count", new() { ["endpoint"] = "/api/faces/{id}/similar", ["code"] = "2xx" }));
        Assert.Equal(1, after.Value("http_request_duration_seconds_count", new() { ["endpoint"] = "/api/faces/{id}/similar", ["code"] = "4xx" }));
        Assert.Equal(1, after.Value("http_request_duration_seconds_count", new() { ["endpoint"] = "/api/search", ["code"] = "4xx" }));
    }

    [Fact]
    public async Task Photos_and_faces_added_and_removed_through_the_api_are_counted()
    {
        const string Key = "metrics-test-key-0123";
        var client = await fixture.StartInMemoryAsync(fixture.Options(fixture.CopyCollection()) with { ApiKey = Key });
        using var add = new HttpRequestMessage(HttpMethod.Post, "/api/images") { Content = ServerFixture.PhotoForm(File.ReadAllBytes(TestData.LfwPhoto("Hugo_Chavez", 1))) };
        add.Headers.Add(RvsServer.ApiKeyHeader, Key);

        using var added = await client.SendAsync(add);
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var body = JsonDocument.Parse(await added.Content.ReadAsStringAsync()).RootElement;
        var faces = body.GetProperty("faces").GetArrayLength();
        var afterAdd = await Scrape(client);
        using var remove = new HttpRequestMessage(HttpMethod.Delete, $"/api/images/{body.GetProperty("image_id").GetInt64()}");
        remove.Headers.Add(RvsServer.ApiKeyHeader, Key);
        using var removed = await client.SendAsync(remove);
        var afterRemove = await Scrape(client);
        using var stats = JsonDocument.Parse(await client.GetStringAsync("/api/stats"));
        var kind = new Dictionary<string, string> { ["kind"] = stats.RootElement.GetProperty("index_kind").GetString()! };

        Assert.True(faces >= 1, "the added photo has a face");
        Assert.Equal(1, afterAdd.Value("rvs_photos_added_total"));
        Assert.Equal(faces, afterAdd.Value("rvs_faces_added_total"));
        Assert.Equal(0, afterAdd.Value("rvs_photos_removed_total"));
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        Assert.Equal(1, afterRemove.Value("rvs_photos_removed_total"));
        Assert.Equal(faces, afterRemove.Value("rvs_faces_removed_total"));
        Assert.Equal(afterAdd.Value("rvs_index_faces", kind) - faces, afterRemove.Value("rvs_index_faces", kind));
    }

    [Fact]
    public async Task Shard_health_is_a_gauge_per_shard_and_an_index_that_cannot_count_leaves_its_size_out()
    {
        var backEnd = new ScriptedBackEnd
        {
            Shards = [new(0, "10.0.0.1:7000", true), new(1, "10.0.0.2:7000", false), new(2, "10.0.0.3:7000", null)],
        };
        var client = await fixture.StartInMemoryAsync(fixture.Options() with { CollectionOptions = new CollectionOptions { BackEnd = backEnd } });

        var up = await Scrape(client);
        backEnd.Unreachable = true;
        var down = await Scrape(client);

        Assert.Equal(1, up.Value("rvs_garnet_shard_up", new() { ["shard"] = "0", ["endpoint"] = "10.0.0.1:7000" }));
        Assert.Equal(0, up.Value("rvs_garnet_shard_up", new() { ["shard"] = "1", ["endpoint"] = "10.0.0.2:7000" }));
        Assert.DoesNotContain(up.Samples, s => s.Name == "rvs_garnet_shard_up" && s.Labels["shard"] == "2");
        Assert.Equal(FaceCollection.CountFaces(fixture.CollectionDirectory), up.Value("rvs_index_faces", new() { ["kind"] = "scripted" }));
        Assert.DoesNotContain(down.Samples, s => s.Name == "rvs_index_faces");
        Assert.Equal(0, down.Value("rvs_garnet_shard_up", new() { ["shard"] = "1", ["endpoint"] = "10.0.0.2:7000" }));
    }

    private static async Task<Exposition> Scrape(HttpClient client)
    {
        using var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return Exposition.Parse(await response.Content.ReadAsStringAsync());
    }
}
