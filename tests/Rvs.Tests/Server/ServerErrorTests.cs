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

    /// <summary>An exact index whose every answer passes through <paramref name="answer"/> (to fail, or to be partial).</summary>
    private sealed class ScriptedBackEnd(Func<IReadOnlyList<VectorHit>, SearchResult> answer) : IVectorBackEnd
    {
        private readonly ExactBackEnd _exact = new();

        public string Kind => "scripted";

        public IReadOnlyDictionary<string, string> Settings => _exact.Settings;

        public IVectorIndex Create(int dimensions, long expectedCount) => new Scripted(_exact.Create(dimensions, expectedCount), answer);

        public bool Save(IVectorIndex index, string directory) => false;

        public IVectorIndex? Load(string directory, int dimensions) => null;

        private sealed class Scripted(IVectorIndex inner, Func<IReadOnlyList<VectorHit>, SearchResult> answer) : IVectorIndex
        {
            public string Kind => "scripted";
            public int Dimensions => inner.Dimensions;
            public long Count => inner.Count;
            public void Add(IReadOnlyList<long> ids, ReadOnlySpan<float> vectors, IReadOnlyList<string?>? attributes = null) => inner.Add(ids, vectors, attributes);
            public int Remove(IReadOnlyList<long> ids) => inner.Remove(ids);
            public bool Contains(long id) => inner.Contains(id);
            public IReadOnlyList<VectorHit> Search(ReadOnlySpan<float> query, int k) => SearchWithStatus(query, k).Hits;
            public SearchResult SearchWithStatus(ReadOnlySpan<float> query, int k) => answer(inner.Search(query, k));
            public void Dispose() => inner.Dispose();
        }
    }
}
