using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Rvs.Index.Garnet;
using Rvs.Testing;
using Rvs.Tests.Support;

namespace Rvs.Tests.Server;

/// <summary>
/// The deployment docs/SCALING.md describes, all on 127.0.0.1 and all real processes: one PostgreSQL catalog, three
/// Garnet primaries, two concurrent `rvs index` workers (one killed part-way and run again) and two `rvs serve`.
/// </summary>
[Trait(TestTier.Name, TestTier.Full)]
public sealed class MultiNodeTests : IDisposable
{
    // Eight people with twelve photos or more each: enough photos that a killed indexer is caught part-way.
    private static readonly string[] People =
        ["Colin_Powell", "Tony_Blair", "Donald_Rumsfeld", "Gerhard_Schroeder", "Ariel_Sharon", "Hugo_Chavez", "Jean_Chretien", "John_Ashcroft"];

    private const int PhotosEach = 12;

    private const string ApiKey = "multi-node-test-key";

    private readonly string _photos = Directory.CreateTempSubdirectory("rvs-multinode-photos-").FullName;
    private readonly string _nowhere = Directory.CreateTempSubdirectory("rvs-multinode-cwd-").FullName;
    private readonly List<RvsChild> _children = [];
    private PostgresDatabase? _database;
    private GarnetServers? _garnet;

    public void Dispose()
    {
        foreach (var child in _children)
        {
            child.Dispose();
        }

        _garnet?.Dispose();
        _database?.Dispose();
        Directory.Delete(_photos, recursive: true);
        Directory.Delete(_nowhere, recursive: true);
    }

    [PostgresFact]
    public async Task two_servers_and_two_indexers_share_one_postgres_catalog_and_a_three_node_garnet_cluster()
    {
        _database = new PostgresDatabase();
        _garnet = await GarnetServers.StartAsync(nodes: 3, cluster: true);
        foreach (var person in People)
        {
            Directory.CreateDirectory(Path.Combine(_photos, person));
            for (var i = 1; i <= PhotosEach; i++)
            {
                File.Copy(TestData.LfwPhoto(person, i), Path.Combine(_photos, person, $"{person}_{i:0000}.jpg"));
            }
        }

        var total = People.Length * PhotosEach;

        // Two indexers over the same photos at once; the first is killed (SIGKILL) once some photos are in.
        var killed = Index(workers: 1);
        var survivor = Index(workers: 1);
        var deadline = Stopwatch.StartNew();
        while (CountOrZero("SELECT count(*) FROM images") < 10)
        {
            Assert.False(killed.HasExited, "the first indexer ended before it could be killed:\n" + killed.Output);
            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(2), "no photo was committed:\n" + killed.Output);
            Thread.Sleep(20);
        }

        killed.Kill();
        Assert.True(CountOrZero("SELECT count(*) FROM images") < total, "the killed indexer had finished already");
        Assert.Equal(0, survivor.WaitForExit(TimeSpan.FromMinutes(3)));
        Assert.Equal(0, Index(workers: 2).WaitForExit(TimeSpan.FromMinutes(3)));

        // Each photo committed once, every face in the cluster once, nothing left queued.
        Assert.Equal(total, _database.Scalar("SELECT count(*) FROM images"));
        Assert.Equal(total, _database.Scalar("SELECT count(DISTINCT content_hash) FROM images"));
        Assert.Equal(0, _database.Scalar("SELECT count(*) FROM vector_outbox"));
        var faces = _database.Scalar("SELECT count(*) FROM faces");
        Assert.InRange(faces, total - 10, total * 3);
        Assert.Equal(faces, StoreCount());

        var first = Serve();
        var second = Serve();
        var query = TestData.LfwPhoto("Tony_Blair", 20);
        var answers = new[] { await SearchAsync(first.Url, query), await SearchAsync(second.Url, query) };
        Assert.Equal("Tony_Blair", answers[0].GetProperty("hits")[0].GetProperty("label").GetString());
        Assert.Equal(FaceIds(answers[0]), FaceIds(answers[1]));
        Assert.All(answers, a => Assert.False(a.GetProperty("partial").GetBoolean()));

        // A photo uploaded through one server is found through the other, and removed through it, gone from both.
        var added = await UploadAsync(second.Url, TestData.LfwPhoto("Serena_Williams", 1), "Serena_Williams");
        var newcomer = TestData.LfwPhoto("Serena_Williams", 2);
        var found = (await SearchAsync(first.Url, newcomer)).GetProperty("hits")[0];
        Assert.Equal("Serena_Williams", found.GetProperty("label").GetString());
        Assert.Equal(added.FaceId, found.GetProperty("face_id").GetInt64());
        using (var client = new HttpClient { BaseAddress = first.Url })
        using (var removal = new HttpRequestMessage(HttpMethod.Delete, $"/api/images/{added.ImageId}"))
        {
            removal.Headers.Add(Rvs.Server.RvsServer.ApiKeyHeader, ApiKey);
            using var removed = await client.SendAsync(removal);
            Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        }

        Assert.DoesNotContain(added.FaceId, FaceIds(await SearchAsync(second.Url, newcomer)));
        Assert.Equal(_database.Scalar("SELECT count(*) FROM faces"), StoreCount());

        // One server gone: the other still answers, the same.
        first.Process.Kill();
        Assert.Equal(FaceIds(answers[0]), FaceIds(await SearchAsync(second.Url, query)));

        // One Garnet primary gone: the answer comes from the other two and says so.
        _garnet.Nodes[0].Kill();
        var partial = await SearchAsync(second.Url, query);
        Assert.True(partial.GetProperty("partial").GetBoolean(), partial.ToString());
        Assert.NotEmpty(partial.GetProperty("unavailable").EnumerateArray());

        // Nothing was written where the servers and indexers ran: no collection directory anywhere.
        Assert.Empty(Directory.EnumerateFileSystemEntries(_nowhere));
    }

    private RvsChild Index(int workers) => Start(
        "index", _photos, "--catalog", _database!.Uri, "--label-from-folder", "--workers", $"{workers}",
        "--index", "garnet", "--garnet", _garnet!.Endpoints);

    private (RvsChild Process, Uri Url) Serve()
    {
        var url = new Uri($"http://127.0.0.1:{RvsChild.FreePort()}");
        var server = Start("serve", "--catalog", _database!.Uri, "--urls", url.ToString().TrimEnd('/'), "--allow-partial", "--api-key", ApiKey);
        using var client = new HttpClient();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            Assert.False(server.HasExited, "rvs serve ended:\n" + server.Output);
            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(2), "rvs serve did not come up:\n" + server.Output);
            try
            {
                using var health = client.GetAsync(new Uri(url, "/healthz")).GetAwaiter().GetResult();
                if (health.StatusCode == HttpStatusCode.OK)
                {
                    return (server, url);
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            Thread.Sleep(100);
        }
    }

    private static async Task<(long ImageId, long FaceId)> UploadAsync(Uri server, string photo, string label)
    {
        using var client = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromMinutes(1) };
        using var form = ServerFixture.PhotoForm(File.ReadAllBytes(photo), fields: ("label", label));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/images") { Content = form };
        request.Headers.Add(Rvs.Server.RvsServer.ApiKeyHeader, ApiKey);
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        var added = JsonDocument.Parse(body).RootElement;
        return (added.GetProperty("image_id").GetInt64(), added.GetProperty("faces").EnumerateArray().Single().GetProperty("face_id").GetInt64());
    }

    private RvsChild Start(params string[] args)
    {
        var child = new RvsChild(_nowhere, args);
        _children.Add(child);
        return child;
    }

    private static async Task<JsonElement> SearchAsync(Uri server, string photo)
    {
        using var client = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromMinutes(1) };
        using var form = ServerFixture.PhotoForm(File.ReadAllBytes(photo));
        using var response = await client.PostAsync("/api/search", form);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static long[] FaceIds(JsonElement answer) =>
        [.. answer.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("face_id").GetInt64())];

    // The catalog's tables appear only once the first indexer has created them.
    private long CountOrZero(string sql)
    {
        try
        {
            return _database!.Scalar(sql);
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == "42P01")
        {
            return 0;
        }
    }

    // The sets are named after the database (BackEndOptions), as every process that opens the catalog names them.
    private long StoreCount()
    {
        var name = _database!.Uri[(_database.Uri.LastIndexOf('/') + 1)..];
        using var index = new GarnetVectorIndex(new GarnetVectorIndexOptions(_garnet!.Endpoints, name), 192);
        return index.Count;
    }
}
