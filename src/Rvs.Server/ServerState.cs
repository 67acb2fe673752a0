using System.Security.Cryptography;
using System.Text;
using Rvs.Catalog;
using Rvs.People;
using Rvs.Pipelines;
using Rvs.Search;
using Rvs.Server.Observability;

namespace Rvs.Server;

/// <summary>What every request shares: one collection, one pipeline (its ORT sessions are thread-safe) and the gate.</summary>
internal sealed class ServerState : IDisposable
{
    private readonly bool _ownsPipeline;
    private readonly byte[]? _apiKeyHash;

    public ServerState(ServerOptions options, FaceCollection collection, IEmbeddingPipeline pipeline, bool ownsPipeline)
    {
        Options = options;
        Collection = collection;
        Pipeline = pipeline;
        _ownsPipeline = ownsPipeline;
        Gate = new SearchGate(options.ModelSlots, options.MaxQueuedSearches);
        UploadBudget = new UploadBudget(options.UploadBudgetBytes);
        Indexer = new CollectionIndexer(collection);
        Verdicts = new SearchVerdicts(collection, options.TargetFpir);
        // Persons live in catalog.db: a collection on a shared catalog has none yet (RequirePeople says so).
        People = collection.Directory is { } directory ? PeopleStore.ForCollection(directory) : null;
        Metrics = new ServerMetrics(collection);
        _apiKeyHash = string.IsNullOrEmpty(options.ApiKey) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(options.ApiKey));
    }

    public ServerOptions Options { get; }

    public FaceCollection Collection { get; }

    public IEmbeddingPipeline Pipeline { get; }

    public CollectionIndexer Indexer { get; }

    /// <summary>Made once: the thresholds it reads from models/ do not change while the server runs.</summary>
    public SearchVerdicts Verdicts { get; }

    public SearchGate Gate { get; }

    public UploadBudget UploadBudget { get; }

    /// <summary>The collection's persons: names and corrections, kept in its catalog.</summary>
    public PeopleStore? People { get; }

    /// <summary>The persons, for the endpoints that show or change them; a shared catalog has none to show.</summary>
    public PeopleStore RequirePeople() => People
        ?? throw new Rvs.Errors.NotFoundException($"persons are kept only in a collection directory's catalog.db, not in the shared catalog {Collection.Location} (yet)");

    /// <summary>Held while new faces are placed into persons, so concurrent uploads never place one face twice.</summary>
    public Lock PlacementLock { get; } = new();

    /// <summary>What /metrics publishes: handlers count into it, and it reads the collection when scraped.</summary>
    public ServerMetrics Metrics { get; }

    public bool WritesEnabled => _apiKeyHash is not null;

    /// <summary>Compares hashes in constant time, so the answer's timing says nothing about how much of a guess was right.</summary>
    public bool IsApiKey(string? given) =>
        _apiKeyHash is not null && !string.IsNullOrEmpty(given)
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), _apiKeyHash);

    public void Dispose()
    {
        Gate.Dispose();
        UploadBudget.Dispose();
        Metrics.Dispose();
        Collection.Dispose();
        if (_ownsPipeline)
        {
            Pipeline.Dispose();
        }
    }
}
