using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Rvs.Tests.Server;
using Rvs.Tests.Support;

namespace Rvs.Tests.Video;

/// <summary>The API over a collection with a video: hits carry the time, and the video is served in ranges.</summary>
public sealed class VideoServerTests(VideoFixture fixture) : IClassFixture<VideoFixture>
{
    private static async Task<JsonElement> FirstHit(HttpClient client, string person, int number)
    {
        using var response = await client.PostAsync("/api/search", ServerFixture.PhotoForm(File.ReadAllBytes(TestData.LfwPhoto(person, number))));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("hits")[0].Clone();
    }

    [FfmpegFact]
    public async Task a_video_hit_carries_its_time_and_its_video_is_served_with_range_requests()
    {
        var client = await fixture.StartInMemoryAsync();

        var hit = await FirstHit(client, "Colin_Powell", 2);
        Assert.Equal("clip.mp4", hit.GetProperty("file_name").GetString());
        Assert.InRange(hit.GetProperty("time_seconds").GetDouble(), VideoIndexingTests.PowellAppears - 0.05, VideoIndexingTests.PowellAppears + 1.0);
        var photoHit = await FirstHit(client, "George_W_Bush", 2);
        Assert.Equal(JsonValueKind.Null, photoHit.GetProperty("time_seconds").ValueKind);

        var url = hit.GetProperty("image_url").GetString();
        var file = await File.ReadAllBytesAsync(fixture.Video);
        using (var whole = await client.GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
            Assert.Equal("video/mp4", whole.Content.Headers.ContentType?.MediaType);
            Assert.Equal("bytes", whole.Headers.AcceptRanges.Single());
            Assert.Equal(file, await whole.Content.ReadAsByteArrayAsync());
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = new RangeHeaderValue(100, 199);
        using var part = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(file[100..200], await part.Content.ReadAsByteArrayAsync());
        Assert.Equal(file.Length, part.Content.Headers.ContentRange?.Length);

        // A video rewritten in place after it was served (same size, other bytes) is no longer served.
        using (var rewrite = new FileStream(fixture.Video, FileMode.Open, FileAccess.Write))
        {
            rewrite.Position = file.Length / 2;
            rewrite.WriteByte((byte)~file[file.Length / 2]);
        }

        using var changed = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.Gone, changed.StatusCode);
        Assert.Contains("has changed since it was indexed", await changed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
