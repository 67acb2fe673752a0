using System.Net;
using System.Text.Json;
using Rvs.Catalog;
using Rvs.Errors;
using Rvs.Index;

namespace Rvs.Tests.Server;

/// <summary>The server's one error mapping: user-facing errors become their status with a one-line message.</summary>
[Collection(ServerCollection.Name)]
public sealed class ServerErrorTests(ServerFixture fixture)
{
    [Fact]
    public async Task A_shard_that_does_not_answer_is_a_503_naming_it_with_retry_after()
    {
        var options = fixture.Options() with { CollectionOptions = new CollectionOptions { BackEnd = Unreachable() } };
        var client = await fixture.StartInMemoryAsync(options);

        using var response = await client.PostAsync("/api/search", ServerFixture.PhotoForm(File.ReadAllBytes(ServerFixture.QueryPhoto("Tony_Blair"))));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();
        Assert.Contains("shard 3 (rvs:{t:3}) at 127.0.0.1:7003", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_partial_answer_says_so_and_names_what_did_not_answer()
    {
        var options = fixture.Options() with { CollectionOptions = new CollectionOptions { BackEnd = new ScriptedBackEnd(hits => new SearchResult(hits, IsPartial: true, Unavailable: ["shard 1"])) } };
        var client = await fixture.StartInMemoryAsync(options);

        using var response = await client.PostAsync("/api/search", ServerFixture.PhotoForm(File.ReadAllBytes(ServerFixture.QueryPhoto("Tony_Blair"))));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(body.GetProperty("partial").GetBoolean());
        Assert.Equal("shard 1", body.GetProperty("unavailable")[0].GetString());
        Assert.Equal("Tony_Blair", body.GetProperty("hits")[0].GetProperty("label").GetString());
    }

    [Theory]
    [InlineData(ErrorCategory.InvalidRequest, 400)]
    [InlineData(ErrorCategory.NotFound, 404)]
    [InlineData(ErrorCategory.ModelMismatch, 409)]
    [InlineData(ErrorCategory.TooLarge, 413)]
    [InlineData(ErrorCategory.UnsupportedInput, 415)]
    [InlineData(ErrorCategory.NoFace, 422)]
    [InlineData(ErrorCategory.Collection, 500)]
    [InlineData(ErrorCategory.IndexUnavailable, 503)]
    public void Every_error_category_has_its_status(ErrorCategory category, int status) =>
        Assert.Equal(status, Rvs.Server.ApiResults.Status(category));

    private static ScriptedBackEnd Unreachable() => new(_ =>
        throw new IndexUnavailableException("Garnet shard 3 (rvs:{t:3}) at 127.0.0.1:7003 is unreachable: no connection", ["shard 3"]));
}
