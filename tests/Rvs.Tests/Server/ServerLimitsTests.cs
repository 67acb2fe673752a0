using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Rvs.Server;
using Rvs.Tests.Support;

namespace Rvs.Tests.Server;

/// <summary>
/// The bounds on what uploads may cost and how a broken form is answered, against a real Kestrel server on
/// 127.0.0.1, with the server's log captured to show that nothing but the answer came of it.
/// </summary>
[Collection(ServerCollection.Name)]
[Trait(TestTier.Name, TestTier.Full)]
public sealed class ServerLimitsTests(ServerFixture fixture) : IDisposable
{
    private const string Boundary = "rvs-test-boundary";

    private readonly FakeLogCollector _log = new();
    // The client waits up to 30 s (not the default 1 s) for the server's word after "Expect: 100-continue": on a
    // loaded machine the 413 once came after the second, the client started the stalled body, and the test failed.
    private readonly HttpClient _client = new(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromSeconds(30) })
    {
        Timeout = TimeSpan.FromMinutes(2),
    };

    public void Dispose() => _client.Dispose();

    private async Task<Uri> StartAsync(ServerOptions options)
    {
#pragma warning disable CA2000 // The application's container disposes the provider it was given with the host.
        var address = await fixture.StartKestrelAsync(options, builder => builder.Logging.AddProvider(new FakeLoggerProvider(_log)));
#pragma warning restore CA2000
        _log.Clear();
        return address;
    }

    [Fact]
    public async Task An_upload_that_does_not_fit_the_upload_budget_is_503_with_retry_after_and_the_next_one_is_searched()
    {
        const long MaxPhoto = 256 * 1024;
        var address = await StartAsync(fixture.Options() with { MaxUploadBytes = MaxPhoto, UploadBudgetBytes = MaxPhoto + Uploads.FormOverhead });
        var query = await File.ReadAllBytesAsync(ServerFixture.QueryPhoto("Tony_Blair"));

        // One upload declaring the largest body takes the whole budget, and stalls half-way through its body.
        using var stalled = new StalledForm(ServerFixture.FacelessPng(), (int)(MaxPhoto + Uploads.FormOverhead));
        var holding = _client.PostAsync(new Uri(address, "/api/search"), stalled);
        await stalled.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // The server takes the reservation once it has the stalled request's headers, a moment after they were sent.
        var refused = await SearchUntil(address, query, r => r.StatusCode == HttpStatusCode.ServiceUnavailable);

        stalled.Finish();
        using var held = await holding;
        var after = await SearchUntil(address, query, r => r.StatusCode != HttpStatusCode.ServiceUnavailable);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
        Assert.Equal(TimeSpan.FromSeconds(ApiResults.RetryAfterSeconds), refused.RetryAfter);
        Assert.Contains("busy receiving other uploads", refused.Body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, held.StatusCode);
        Assert.Equal(0, JsonDocument.Parse(await held.Content.ReadAsStringAsync()).RootElement.GetProperty("faces").GetArrayLength());
        Assert.Equal(HttpStatusCode.OK, after.Status);
        Assert.Equal("Tony_Blair", after.Body.GetProperty("hits")[0].GetProperty("label").GetString());
        Assert.DoesNotContain(_log.GetSnapshot(), r => r.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task A_body_declared_over_the_limit_is_413_naming_the_limit_before_it_is_read()
    {
        var address = await StartAsync(fixture.Options() with { MaxUploadBytes = 1024 * 1024 });
        using var stalled = new StalledForm(ServerFixture.FacelessPng(), 3 * 1024 * 1024);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, "/api/search")) { Content = stalled };
        // With 100-continue the client waits for the server's word before sending the body: the answer comes from
        // the declared length alone.
        request.Headers.ExpectContinue = true;

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("the limit is 1 MB", Error(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.DoesNotContain(_log.GetSnapshot(), r => r.Level >= LogLevel.Warning);
    }

    [Theory]
    [InlineData("no closing boundary", "--" + Boundary + "\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\n\r\nabc")]
    [InlineData("a part without headers", "--" + Boundary + "\r\n\r\nabc\r\n--" + Boundary + "--\r\n")]
    [InlineData("no boundary at all", "this is not a multipart body")]
    public async Task A_malformed_multipart_body_is_a_400_in_one_line_and_leaves_no_stack_trace_in_the_log(string kind, string body)
    {
        var address = await StartAsync(fixture.Options());
        using var content = new ByteArrayContent(Encoding.ASCII.GetBytes(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");

        using var response = await _client.PostAsync(new Uri(address, "/api/search"), content);
        var error = Error(await response.Content.ReadAsStringAsync());
        using var stats = await _client.GetAsync(new Uri(address, "/api/stats"));

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{kind}: {(int)response.StatusCode} {error}");
        Assert.DoesNotContain('\n', error);
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        Assert.DoesNotContain(_log.GetSnapshot(), r => r.Exception is not null || r.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task A_small_photo_in_a_form_with_too_many_fields_is_told_which_limit_not_that_it_is_too_large()
    {
        var address = await StartAsync(fixture.Options());
        var photo = await File.ReadAllBytesAsync(ServerFixture.QueryPhoto("Tony_Blair"));
        Assert.InRange(photo.Length, 4 * 1024, 64 * 1024);
        var fields = Enumerable.Range(0, Uploads.MaxFields + 4).Select(i => ($"extra{i}", "x")).ToArray();

        using var response = await _client.PostAsync(new Uri(address, "/api/search"), ServerFixture.PhotoForm(photo, fields: fields));
        var error = Error(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"{Uploads.MaxFields} fields", error, StringComparison.Ordinal);
        Assert.Contains("count limit", error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("too large", error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_part_with_headers_over_their_limit_is_told_so_not_that_the_photo_is_too_large()
    {
        var address = await StartAsync(fixture.Options());
        var photo = await File.ReadAllBytesAsync(ServerFixture.QueryPhoto("Tony_Blair"));

        using var response = await _client.PostAsync(new Uri(address, "/api/search"),
            ServerFixture.PhotoForm(photo, fileName: new string('a', Uploads.MaxPartHeadersLength + 100) + ".jpg"));
        var error = Error(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"limit {Uploads.MaxPartHeadersLength} exceeded", error, StringComparison.Ordinal);
        Assert.DoesNotContain("too large", error, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Searches with <paramref name="photo"/> until an answer passes <paramref name="wanted"/> (for at most 10 s); returns the last.</summary>
    private async Task<(HttpStatusCode Status, TimeSpan? RetryAfter, JsonElement Body)> SearchUntil(Uri address, byte[] photo, Func<HttpResponseMessage, bool> wanted)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var response = await _client.PostAsync(new Uri(address, "/api/search"), ServerFixture.PhotoForm(photo));
            if (wanted(response) || attempt == 40)
            {
                return (response.StatusCode, response.Headers.RetryAfter?.Delta, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
            }

            await Task.Delay(250);
        }
    }

    private static string Error(string body) => JsonDocument.Parse(body).RootElement.GetProperty("error").GetString()!;

    /// <summary>
    /// A multipart form with one photo, padded with a second file part to the given length in all,
    /// whose body stops after its first bytes until <see cref="Finish"/>: an upload that holds its place.
    /// </summary>
    private sealed class StalledForm : HttpContent
    {
        private readonly byte[] _body;
        private readonly TaskCompletionSource _finish = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public StalledForm(byte[] photo, int length)
        {
            var head = Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"flat.png\"\r\nContent-Type: image/png\r\n\r\n");
            var middle = Encoding.ASCII.GetBytes($"\r\n--{Boundary}\r\nContent-Disposition: form-data; name=\"padding\"; filename=\"pad.bin\"\r\n\r\n");
            var tail = Encoding.ASCII.GetBytes($"\r\n--{Boundary}--\r\n");
            _body = new byte[length];
            head.CopyTo(_body, 0);
            photo.CopyTo(_body, head.Length);
            middle.CopyTo(_body, head.Length + photo.Length);
            tail.CopyTo(_body, length - tail.Length);
            Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");
        }

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Finish() => _finish.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(_body.AsMemory(0, 1024));
            await stream.FlushAsync();
            Started.TrySetResult();
            // An early answer (413) ends the request while this waits; the rest is then never sent.
            await Task.WhenAny(_finish.Task, Task.Delay(TimeSpan.FromSeconds(60)));
            await stream.WriteAsync(_body.AsMemory(1024));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _body.Length;
            return true;
        }
    }
}
