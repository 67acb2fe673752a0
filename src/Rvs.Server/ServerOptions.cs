using Rvs.Catalog;
using Rvs.Pipelines;

namespace Rvs.Server;

/// <summary>How `rvs serve` runs: which collection, where it listens, and the limits that keep it responsive.</summary>
public sealed record ServerOptions
{
    public const string DefaultUrls = "http://127.0.0.1:5000";

    public const int DefaultMaxUploadMegabytes = 20;

    /// <summary>The collection to serve (it must exist).</summary>
    public required string CollectionDirectory { get; init; }

    /// <summary>Kestrel URLs; loopback by default so a collection is never exposed by accident.</summary>
    public string Urls { get; init; } = DefaultUrls;

    /// <summary>When set, photos may be added and removed by callers sending it in X-Api-Key; when null, never.</summary>
    public string? ApiKey { get; init; }

    public long MaxUploadBytes { get; init; } = DefaultMaxUploadMegabytes * 1024L * 1024L;

    /// <summary>Searches running the models at once: one per core, each model single-threaded (see IntraOpThreads).</summary>
    public int ModelSlots { get; init; } = Math.Clamp(Environment.ProcessorCount, 1, 8);

    /// <summary>Searches allowed to wait for a slot; beyond that the server answers 503 at once.</summary>
    public int MaxQueuedSearches { get; init; } = 64;

    /// <summary>
    /// ONNX Runtime threads per model. One is fastest: MTCNN runs many tiny tensors, where waking helper threads
    /// costs more than it saves (`Rvs.Bench serve` compares thread counts; docs/BENCHMARKS.md), and
    /// parallelism comes from the slots instead.
    /// </summary>
    public int IntraOpThreads { get; init; } = 1;

    /// <summary>Default and largest number of results a search returns.</summary>
    public int DefaultK { get; init; } = 20;

    public int MaxK { get; init; } = 100;

    /// <summary>The share of strangers a search may call someone: sets the open-set threshold of every answer.</summary>
    public double TargetFpir { get; init; } = Rvs.Verdicts.OpenSetCalibration.DefaultTargetFpir;

    /// <summary>Host names requests may carry (the Host header); null: the hosts of <see cref="Urls"/> (see RequestGuards).</summary>
    public IReadOnlyList<string>? AllowedHosts { get; init; }

    /// <summary>A pipeline to use instead of creating one (tests share theirs); the server does not dispose it.</summary>
    public IEmbeddingPipeline? Pipeline { get; init; }

    /// <summary>Index options to open the collection with; by default those the collection itself asks for.</summary>
    public CollectionOptions? CollectionOptions { get; init; }
}
