using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Rvs.Catalog;
using Rvs.Server;
using Rvs.Server.Observability;

namespace Rvs.Tests.Server;

/// <summary>Every request has an id: the caller's when it is a plain token, else a new one; answers and logs carry it.</summary>
[Collection(ServerCollection.Name)]
public sealed class ServerRequestIdTests(ServerFixture fixture)
{
    [Fact]
    public async Task A_plain_incoming_id_comes_back_in_the_header_and_in_an_error_body()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/faces/999999");
        request.Headers.Add(RequestIds.Header, "proxy-7f3a.42_b");

        using var response = await fixture.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("proxy-7f3a.42_b", Assert.Single(response.Headers.GetValues(RequestIds.Header)));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("proxy-7f3a.42_b", body.GetProperty("request_id").GetString());
        Assert.Contains("999999", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("two words")]
    [InlineData("quote\"brace{")]
    [InlineData("a0123456789b0123456789c0123456789d0123456789e0123456789f0123456789")]
    public async Task Without_a_usable_incoming_id_each_request_gets_a_new_one(string? given)
    {
        async Task<string> IdOf()
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
            if (given is not null)
            {
                Assert.True(request.Headers.TryAddWithoutValidation(RequestIds.Header, given));
            }

            using var response = await fixture.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return Assert.Single(response.Headers.GetValues(RequestIds.Header));
        }

        var (first, second) = (await IdOf(), await IdOf());

        Assert.NotEqual(given, first);
        Assert.NotEqual(first, second);
        Assert.All(new[] { first, second }, id => Assert.Matches("^[0-9a-f]{32}$", id));
    }

    [Fact]
    public async Task A_log_line_written_while_a_request_runs_carries_its_id()
    {
        var log = new FakeLogCollector();
        var directory = fixture.CopyCollection();
#pragma warning disable CA2000 // The application's container disposes the provider it was given with the host.
        var client = await fixture.StartInMemoryAsync(fixture.Options(directory) with { CatalogCheckInterval = TimeSpan.Zero },
            builder => builder.Logging.AddProvider(new FakeLoggerProvider(log)));
#pragma warning restore CA2000
        using (var writer = FaceCollection.Open(directory))
        {
            // Another writer changes the collection, so the next request logs that the server caught up with it.
            Assert.Equal(1, writer.RemoveImage(1).Images);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/stats");
        request.Headers.Add(RequestIds.Header, "caught-up-1");
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var caughtUp = Assert.Single(log.GetSnapshot(), r => r.Message.Contains("changed on disk", StringComparison.Ordinal));
        Assert.Contains(caughtUp.Scopes, scope => scope is IEnumerable<KeyValuePair<string, object?>> pairs
            && pairs.Any(p => p.Key == RequestIds.ScopeKey && Equals(p.Value, "caught-up-1")));
    }

    [Theory]
    [InlineData(ServerLogFormat.Plain, ConsoleFormatterNames.Simple)]
    [InlineData(ServerLogFormat.Json, ConsoleFormatterNames.Json)]
    public async Task Each_log_format_writes_with_its_console_formatter_and_scopes_on(ServerLogFormat format, string formatter)
    {
        var app = RvsServer.Build(fixture.Options() with { LogFormat = format }, builder => builder.WebHost.UseTestServer());
        try
        {
            Assert.Equal(formatter, app.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
            var scopes = format == ServerLogFormat.Json
                ? app.Services.GetRequiredService<IOptionsMonitor<JsonConsoleFormatterOptions>>().CurrentValue.IncludeScopes
                : app.Services.GetRequiredService<IOptionsMonitor<SimpleConsoleFormatterOptions>>().CurrentValue.IncludeScopes;
            Assert.True(scopes, "the request id reaches a log line only as a scope");
        }
        finally
        {
            await app.DisposeAsync();
        }
    }
}
