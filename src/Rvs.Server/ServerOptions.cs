using Rvs.Catalog;
using Rvs.Pipelines;

namespace Rvs.Server;

/// <summary>How `rvs serve` runs: which collection, where it listens, and the limits that keep it responsive.</summary>
public sealed record ServerOptions
{
    public const string DefaultUrls = "http://127.0.0.1:5000";

    public const int DefaultMaxUploadMegabytes = 20;

    /// <summary>Eight uploads of the largest size held at once: measured with `Rvs.Bench serve --load` (docs/SECURITY.md).</summary>
    public const int DefaultUploadBudgetMegabytes = 8 * (DefaultMaxUploadMegabytes + 1);

    public const int DefaultMaxConnections = 256;

    /// <summary>The collection to serve (it must exist): its directory, or a shared catalog's postgresql:// URI.</summary>
    public required string CollectionDirectory { get; init; }

    /// <summary>Kestrel URLs; loopback by default so a collection is never exposed by accident.</summary>
    public string Urls { get; init; } = DefaultUrls;

    /// <summary>When set, photos may be added and removed by callers sending it in X-Api-Key; when null, never.</summary>
    public string? ApiKey { get; init; }

    public long MaxUploadBytes { get; init; } = DefaultMaxUploadMegabytes * 1024L * 1024L;

    /// <summary>
    /// Bytes of uploads held in memory at once, reserved by their declared size before their body is read; an upload
    /// that does not fit is answered 503 with Retry-After. At least one largest upload must fit.
    /// </summary>
    public long UploadBudgetBytes { get; init; } = DefaultUploadBudgetMegabytes * 1024L * 1024L;

    /// <summary>Open connections Kestrel accepts at once; it closes those beyond, before reading anything from them.</summary>
    public long MaxConnections { get; init; } = DefaultMaxConnections;

    /// <summary>
    /// How often at most a request first checks whether another process changed the collection (its generation) and,
    /// if so, brings the index up to date: photos `rvs index` adds are found without a restart.
    /// </summary>
    public TimeSpan CatalogCheckInterval { get; init; } = TimeSpan.FromSeconds(1);

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

    /// <summary>How log lines are written: plain text, or one JSON object a line for a log collector.</summary>
    public Observability.ServerLogFormat LogFormat { get; init; } = Observability.ServerLogFormat.Plain;

    /// <summary>A pipeline to use instead of creating one (tests share theirs); the server does not dispose it.</summary>
    public IEmbeddingPipeline? Pipeline { get; init; }

    /// <summary>Index options to open the collection with; by default those the collection itself asks for.</summary>
    public CollectionOptions? CollectionOptions { get; init; }

    /// <summary>
    /// Why <paramref name="urls"/> cannot be listened on, in one line, or null when every URL is one Kestrel takes:
    /// http://HOST:PORT with no path (rvs speaks plain HTTP; TLS belongs in a reverse proxy, see docs/SECURITY.md).
    /// </summary>
    public static string? ProblemWithUrls(string urls)
    {
        var entries = (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (entries.Length == 0)
        {
            return "--urls is empty: give where to listen, e.g. http://127.0.0.1:5000";
        }

        foreach (var url in entries)
        {
            // Kestrel's wildcards (*, +) are not host names a URI parser accepts.
            var parsable = url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(parsable, UriKind.Absolute, out var uri) || uri.Host.Length == 0 || !url.Contains("://", StringComparison.Ordinal))
            {
                return $"--urls '{url}' is not a URL to listen on: write it as http://HOST:PORT, e.g. http://127.0.0.1:5000";
            }

            if (uri.Scheme != Uri.UriSchemeHttp)
            {
                return uri.Scheme == Uri.UriSchemeHttps
                    ? $"--urls '{url}': rvs serves plain HTTP; put TLS in a reverse proxy in front of it (docs/SECURITY.md)"
                    : $"--urls '{url}': only http:// URLs can be listened on";
            }

            if (uri.AbsolutePath != "/" || uri.Query.Length > 0)
            {
                return $"--urls '{url}' has a path; give only http://HOST:PORT";
            }
        }

        return null;
    }
}
