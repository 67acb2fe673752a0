using System.Net;
using System.Text.Json;
using Rvs.Tests.Support;

namespace Rvs.Tests.Server;

[Collection(ServerCollection.Name)]
public sealed class ServerApiTests(ServerFixture fixture)
{
    private HttpClient Client => fixture.Client;

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostSearch(HttpContent content)
    {
        using var response = await Client.PostAsync("/api/search", content);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task A_photo_that_is_in_the_collection_is_not_its_own_first_result()
    {
        var person = ServerFixture.People[0];
        var (status, body) = await PostSearch(ServerFixture.PhotoForm(File.ReadAllBytes(TestData.LfwPhoto(person, 1))));

        Assert.Equal(HttpStatusCode.OK, status);
        var hits = body.GetProperty("hits").EnumerateArray().ToList();
        Assert.All(hits, h => Assert.True(h.GetProperty("distance").GetSingle() > 0.01f, "the photo itself is left out"));
        Assert.Equal(person, hits[0].GetProperty("label").GetString());
        Assert.Equal(Enumerable.Range(1, hits.Count), hits.Select(h => h.GetProperty("rank").GetInt32()));
    }

    [Theory]
    [InlineData("George_W_Bush")]
    [InlineData("Colin_Powell")]
    [InlineData("Tony_Blair")]
    public async Task Search_returns_the_faces_and_the_same_person_first(string person)
    {
        var (status, body) = await PostSearch(ServerFixture.PhotoForm(File.ReadAllBytes(ServerFixture.QueryPhoto(person))));

        Assert.Equal(HttpStatusCode.OK, status);
        var faces = body.GetProperty("faces");
        Assert.True(faces.GetArrayLength() >= 1);
        var face = faces[0];
        Assert.Equal(4, face.GetProperty("box").GetArrayLength());
        Assert.Equal(5, face.GetProperty("landmarks").GetArrayLength());
        Assert.True(face.GetProperty("score").GetSingle() > 0.5f);
        Assert.Equal(0, body.GetProperty("face").GetInt32());

        var hits = body.GetProperty("hits");
        Assert.Equal(20, hits.GetArrayLength());
        var first = hits[0];
        Assert.Equal(person, first.GetProperty("label").GetString());
        Assert.Equal(1, first.GetProperty("rank").GetInt32());
        var faceId = first.GetProperty("face_id").GetInt64();
        var imageId = first.GetProperty("image_id").GetInt64();
        Assert.Equal($"/api/faces/{faceId}/thumbnail", first.GetProperty("thumbnail_url").GetString());
        Assert.Equal($"/api/images/{imageId}", first.GetProperty("image_url").GetString());
        Assert.InRange(first.GetProperty("distance").GetSingle(), 0f, 2f);
        Assert.InRange(first.GetProperty("similarity").GetSingle(), -1f, 1f);
        var distances = hits.EnumerateArray().Select(h => h.GetProperty("distance").GetSingle()).ToList();
        Assert.Equal(distances.Order(), distances);
        // The results never reveal where the photos live on the server.
        Assert.False(first.TryGetProperty("path", out _));
    }

    [Fact]
    public async Task Search_honours_k_and_refuses_k_out_of_range()
    {
        var photo = File.ReadAllBytes(ServerFixture.QueryPhoto("Ariel_Sharon"));
        var (status, body) = await PostSearch(ServerFixture.PhotoForm(photo, fields: ("k", "3")));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(3, body.GetProperty("hits").GetArrayLength());

        foreach (var bad in new[] { "0", "101", "-1", "many" })
        {
            var (badStatus, badBody) = await PostSearch(ServerFixture.PhotoForm(photo, fields: ("k", bad)));
            Assert.Equal(HttpStatusCode.BadRequest, badStatus);
            Assert.Contains("'k'", badBody.GetProperty("error").GetString());
        }
    }

    [Fact]
    public async Task Search_of_a_face_the_photo_lacks_is_refused()
    {
        var photo = File.ReadAllBytes(ServerFixture.QueryPhoto("Tony_Blair"));
        var (status, body) = await PostSearch(ServerFixture.PhotoForm(photo, fields: ("face", "999")));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("face 999", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_file_that_is_not_an_image_is_refused_with_415_whatever_its_name_and_type()
    {
        var (status, body) = await PostSearch(ServerFixture.PhotoForm("this is plain text, not a photo"u8.ToArray(), "face.jpg", "image/jpeg"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Contains("not a usable photo", body.GetProperty("error").GetString());

        var (empty, _) = await PostSearch(ServerFixture.PhotoForm([], "empty.png", "image/png"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, empty);
    }

    [Fact]
    public async Task A_photo_with_a_misleading_name_and_type_is_still_searched()
    {
        var (status, body) = await PostSearch(ServerFixture.PhotoForm(File.ReadAllBytes(ServerFixture.QueryPhoto("Donald_Rumsfeld")), "notes.txt", "text/plain"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Donald_Rumsfeld", body.GetProperty("hits")[0].GetProperty("label").GetString());
    }

    [Fact]
    public async Task An_upload_over_the_limit_is_refused_with_413()
    {
        var huge = new byte[21 * 1024 * 1024];
        huge[0] = 0xFF;
        huge[1] = 0xD8;
        huge[2] = 0xFF;
        var (status, body) = await PostSearch(ServerFixture.PhotoForm(huge));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("20 MB", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task An_upload_of_unknown_length_over_the_limit_is_refused_with_413_too()
    {
        var client = await fixture.StartInMemoryAsync(fixture.Options() with { MaxUploadBytes = 100 * 1024 });
        using var form = new MultipartFormDataContent();
        // A stream that cannot tell its length makes the body go without Content-Length, so only the form reader's
        // own limit can stop it.
        form.Add(new StreamContent(new UnknownLengthStream(new byte[400 * 1024])), "photo", "big.jpg");
        Assert.Null(form.Headers.ContentLength);

        using var response = await client.PostAsync("/api/search", form);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("0.1 MB", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_photo_without_faces_gives_no_faces_and_no_hits()
    {
        var (status, body) = await PostSearch(ServerFixture.PhotoForm(ServerFixture.FacelessPng(), "flat.png", "image/png"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(0, body.GetProperty("faces").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("face").ValueKind);
        Assert.Equal(0, body.GetProperty("hits").GetArrayLength());
    }

    [Fact]
    public async Task A_search_without_a_photo_is_a_bad_request()
    {
        using var form = new MultipartFormDataContent { { new StringContent("5"), "k" } };
        var (status, body) = await PostSearch(form);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("'photo'", body.GetProperty("error").GetString());

        var (json, _) = await PostSearch(new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, json);
    }

    [Theory]
    [InlineData("/api/faces/{0}")]
    [InlineData("/api/faces/{0}/thumbnail")]
    [InlineData("/api/faces/{0}/similar")]
    [InlineData("/api/images/{0}")]
    public async Task Unknown_ids_are_404_and_malformed_ids_are_400(string template)
    {
        using (var unknown = await Client.GetAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, 987654321)))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Contains("987654321", (await unknown.Content.ReadAsStringAsync()));
        }

        foreach (var bad in new[] { "0", "-1", "abc", "1.5", "99999999999999999999999", "%2e%2e%2fcatalog.db" })
        {
            using var response = await Client.GetAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, bad));
            Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{bad}: {response.StatusCode}");
            Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString());
        }
    }

    [Fact]
    public async Task Thumbnails_photos_and_face_metadata_are_served()
    {
        var (_, body) = await PostSearch(ServerFixture.PhotoForm(File.ReadAllBytes(ServerFixture.QueryPhoto("Gerhard_Schroeder")), fields: ("k", "1")));
        var hit = body.GetProperty("hits")[0];

        using var thumbnail = await Client.GetAsync(hit.GetProperty("thumbnail_url").GetString());
        Assert.Equal(HttpStatusCode.OK, thumbnail.StatusCode);
        Assert.Equal("image/jpeg", thumbnail.Content.Headers.ContentType?.MediaType);
        var jpeg = await thumbnail.Content.ReadAsByteArrayAsync();
        Assert.Equal([0xFF, 0xD8, 0xFF], jpeg[..3]);
        Assert.Equal("nosniff", thumbnail.Headers.GetValues("X-Content-Type-Options").Single());

        using var photo = await Client.GetAsync(hit.GetProperty("image_url").GetString());
        Assert.Equal(HttpStatusCode.OK, photo.StatusCode);
        Assert.Equal("image/jpeg", photo.Content.Headers.ContentType?.MediaType);
        Assert.Equal(250 * 250, await DecodedPixels(photo));

        var faceId = hit.GetProperty("face_id").GetInt64();
        using var face = await Client.GetAsync($"/api/faces/{faceId}");
        var meta = JsonDocument.Parse(await face.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(faceId, meta.GetProperty("face_id").GetInt64());
        Assert.Equal(hit.GetProperty("image_id").GetInt64(), meta.GetProperty("image_id").GetInt64());
        Assert.Equal("Gerhard_Schroeder", meta.GetProperty("label").GetString());
        Assert.Equal(250, meta.GetProperty("image_width").GetInt32());
        Assert.Equal(5, meta.GetProperty("landmarks").GetArrayLength());
    }

    private static async Task<int> DecodedPixels(HttpResponseMessage response)
    {
        var decoded = Rvs.Imaging.ImageDecoder.Decode(await response.Content.ReadAsByteArrayAsync());
        return decoded.OriginalWidth * decoded.OriginalHeight;
    }

    [Fact]
    public async Task Similar_faces_exclude_the_face_itself_and_start_with_the_same_person()
    {
        var (_, body) = await PostSearch(ServerFixture.PhotoForm(File.ReadAllBytes(ServerFixture.QueryPhoto("Colin_Powell")), fields: ("k", "1")));
        var faceId = body.GetProperty("hits")[0].GetProperty("face_id").GetInt64();

        using var response = await Client.GetAsync($"/api/faces/{faceId}/similar?k=5");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var similar = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(faceId, similar.GetProperty("face_id").GetInt64());
        var hits = similar.GetProperty("hits");
        Assert.Equal(5, hits.GetArrayLength());
        Assert.DoesNotContain(hits.EnumerateArray(), h => h.GetProperty("face_id").GetInt64() == faceId);
        Assert.Equal("Colin_Powell", hits[0].GetProperty("label").GetString());

        using var badK = await Client.GetAsync($"/api/faces/{faceId}/similar?k=1000");
        Assert.Equal(HttpStatusCode.BadRequest, badK.StatusCode);
    }

    [Fact]
    public async Task Stats_health_openapi_and_the_page_are_served()
    {
        var stats = JsonDocument.Parse(await Client.GetStringAsync("/api/stats")).RootElement;
        Assert.Equal(ServerFixture.People.Length * ServerFixture.PhotosPerPerson, stats.GetProperty("images").GetInt64());
        Assert.Equal(ServerFixture.People.Length, stats.GetProperty("people").GetInt64());
        Assert.Equal("mtcnn-facenet", stats.GetProperty("pipeline").GetString());

        using var health = await Client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        var openApi = JsonDocument.Parse(await Client.GetStringAsync("/openapi/v1.json")).RootElement;
        var paths = openApi.GetProperty("paths");
        foreach (var path in new[] { "/api/search", "/api/faces/{id}", "/api/faces/{id}/thumbnail", "/api/faces/{id}/similar", "/api/images/{id}", "/api/images", "/api/stats" })
        {
            Assert.True(paths.TryGetProperty(path, out _), path);
        }

        var form = paths.GetProperty("/api/search").GetProperty("post").GetProperty("requestBody").GetProperty("content").GetProperty("multipart/form-data");
        Assert.Equal("binary", form.GetProperty("schema").GetProperty("properties").GetProperty("photo").GetProperty("format").GetString());

        using var page = await Client.GetAsync("/");
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("results-grid", await page.Content.ReadAsStringAsync());
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        using var script = await Client.GetAsync("/app.js");
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);

        using var missing = await Client.GetAsync("/catalog.db");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var unknownApi = await Client.GetAsync("/api/nothing/here");
        Assert.Equal(HttpStatusCode.NotFound, unknownApi.StatusCode);
    }

    [Fact]
    public async Task Concurrent_searches_all_succeed_or_are_turned_away_never_fail()
    {
        var photo = File.ReadAllBytes(ServerFixture.QueryPhoto("George_W_Bush"));
        var statuses = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            using var response = await Client.PostAsync("/api/search", ServerFixture.PhotoForm(photo, fields: ("k", "5")));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                Assert.Equal("George_W_Bush", body.GetProperty("hits")[0].GetProperty("label").GetString());
            }

            return response.StatusCode;
        }));
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, s.ToString()));
        // The default queue is far longer than 16: nobody should have been turned away.
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
    }

    [Fact]
    public async Task A_full_queue_answers_503_rather_than_waiting_or_failing()
    {
        // A pipeline slowed down keeps the one slot busy long enough that the burst surely overflows the queue. The
        // slow model blocks a pool thread, and on a loaded 2-core machine the pool would otherwise add threads so
        // slowly that the burst arrives one request at a time and never overflows anything.
        ThreadPool.GetMinThreads(out var workers, out var ports);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), ports);
        using var slow = new SlowPipeline(SharedPipelines.FaceNet, TimeSpan.FromMilliseconds(300));
        var client = await fixture.StartInMemoryAsync(fixture.Options() with { Pipeline = slow, ModelSlots = 1, MaxQueuedSearches = 1 });
        var photo = File.ReadAllBytes(ServerFixture.QueryPhoto("Tony_Blair"));
        var statuses = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            using var response = await client.PostAsync("/api/search", ServerFixture.PhotoForm(photo, fields: ("k", "5")));
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                Assert.Contains("busy", await response.Content.ReadAsStringAsync());
                Assert.Equal(TimeSpan.FromSeconds(Rvs.Server.ApiResults.RetryAfterSeconds), response.Headers.RetryAfter?.Delta);
            }

            return response.StatusCode;
        }));
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, s.ToString()));
        Assert.Contains(HttpStatusCode.OK, statuses);
        Assert.Contains(HttpStatusCode.ServiceUnavailable, statuses);
    }
}
