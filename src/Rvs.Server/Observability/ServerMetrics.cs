using Prometheus;
using Rvs.Catalog;
using Rvs.Errors;
using Rvs.Search;
using Rvs.Verdicts;

namespace Rvs.Server.Observability;

/// <summary>
/// Every metric `rvs serve` publishes on /metrics, in one registry per server (so servers in one process, as in the
/// tests, never count into each other). Handlers report what happened through the methods here; what the server
/// already knows (the index's kind and size, the Garnet shards) is read when Prometheus scrapes, in
/// <see cref="ReadStateAtScrape"/>, which is where a gauge of another part of the server's state belongs too.
/// Nothing here carries a face, a name or a label: only counts, durations and the index's layout.
/// </summary>
internal sealed class ServerMetrics : IDisposable
{
    /// <summary>16 doubling buckets, 0.5 ms to 16 s: index searches and the model work share one scale, so their histograms compare.</summary>
    private static readonly double[] DurationBuckets = Histogram.ExponentialBuckets(0.0005, 2, 16);

    private readonly FaceCollection _collection;
    private readonly Histogram _searchSeconds;
    private readonly Histogram _embedSeconds;
    private readonly Counter _searches;
    private readonly Counter _partialAnswers;
    private readonly Counter _photosAdded;
    private readonly Counter _facesAdded;
    private readonly Counter _photosRemoved;
    private readonly Counter _facesRemoved;
    private readonly Counter _rejected;
    private readonly Gauge _indexFaces;
    private readonly Gauge _shardUp;
    private readonly PostgresPoolMetrics? _postgresPool;

    public ServerMetrics(FaceCollection collection)
    {
        _collection = collection;
        Registry = Metrics.NewCustomRegistry();
        Factory = Metrics.WithCustomRegistry(Registry);
        DotNetStats.Register(Registry);
        _postgresPool = collection.Directory is null ? new PostgresPoolMetrics(Factory) : null;

        var durations = new HistogramConfiguration { Buckets = DurationBuckets };
        _searchSeconds = Factory.CreateHistogram("rvs_search_duration_seconds",
            "Time to search the index with a query face and judge the hits, by kind of search (photo, similar).", [Labels.Kind], durations);
        _embedSeconds = Factory.CreateHistogram("rvs_query_embedding_duration_seconds",
            "Time to decode a query photo, detect its faces and embed them (the model work, run under the search gate).", durations);
        _searches = Factory.CreateCounter("rvs_searches_total",
            "Searches answered, by kind and by the answer's verdict: match, none, unjudged (no measured thresholds), no_face.", [Labels.Kind, Labels.Verdict]);
        _partialAnswers = Factory.CreateCounter("rvs_partial_answers_total",
            "Searches answered from only part of the index (a Garnet shard down, with --allow-partial).", [Labels.Kind]);
        _photosAdded = Factory.CreateCounter("rvs_photos_added_total", "Photos added through POST /api/images.");
        _facesAdded = Factory.CreateCounter("rvs_faces_added_total", "Faces indexed from photos added through POST /api/images.");
        _photosRemoved = Factory.CreateCounter("rvs_photos_removed_total", "Photos removed through DELETE /api/images/{id}.");
        _facesRemoved = Factory.CreateCounter("rvs_faces_removed_total", "Faces removed with the photos removed through the API.");
        _rejected = Factory.CreateCounter("rvs_rejected_requests_total",
            "Requests turned away to protect the server, by reason: upload_too_large (413), upload_budget_full and search_queue_full (503).", [Labels.Reason]);
        _indexFaces = Factory.CreateGauge("rvs_index_faces",
            "Faces in the vector index now (the gallery size verdicts are calibrated for), labelled with the index kind.", [Labels.Kind]);
        _shardUp = Factory.CreateGauge("rvs_garnet_shard_up",
            "1 when the Garnet shard answered its last command, 0 when it could not be reached; only for a garnet index.", [Labels.Shard, Labels.Endpoint]);

        // Series that exist from the start, so a rate over them is defined before the first search.
        foreach (var kind in new[] { SearchKinds.Photo, SearchKinds.Similar })
        {
            foreach (var verdict in new[] { VerdictWords.Word(Verdict.Match), VerdictWords.Word(Verdict.None), Unjudged })
            {
                _searches.WithLabels(kind, verdict);
            }

            _partialAnswers.WithLabels(kind);
            _searchSeconds.WithLabels(kind);
        }

        _searches.WithLabels(SearchKinds.Photo, NoFace);
        foreach (var reason in new[] { RejectionReasons.UploadTooLarge, RejectionReasons.UploadBudgetFull, RejectionReasons.SearchQueueFull })
        {
            _rejected.WithLabels(reason);
        }

        Registry.AddBeforeCollectCallback(ReadStateAtScrape);
    }

    /// <summary>The verdict label of a search whose collection has no measured thresholds to judge with.</summary>
    public const string Unjudged = "unjudged";

    /// <summary>The verdict label of a photo search whose photo had no face.</summary>
    public const string NoFace = "no_face";

    public CollectorRegistry Registry { get; }

    /// <summary>Makes metrics in this server's registry (the HTTP middleware's too).</summary>
    public IMetricFactory Factory { get; }

    /// <summary>The model work on one query photo took <paramref name="elapsed"/> (only photos that were read: a failure is no sample).</summary>
    public void Embedded(TimeSpan elapsed) => _embedSeconds.Observe(elapsed.TotalSeconds);

    /// <summary>
    /// Counts an answered search by its verdict, with how long searching and judging took, and whether only part of
    /// the index answered. Only answered searches are timed: a refused one (an unknown face) would skew the latency.
    /// </summary>
    public void Answered(string kind, AnsweredHits answer, bool partial, TimeSpan elapsed)
    {
        _searchSeconds.WithLabels(kind).Observe(elapsed.TotalSeconds);
        _searches.WithLabels(kind, answer.Answer is { } a ? a.Verdict.Word() : Unjudged).Inc();
        if (partial)
        {
            _partialAnswers.WithLabels(kind).Inc();
        }
    }

    public void AnsweredNoFace() => _searches.WithLabels(SearchKinds.Photo, NoFace).Inc();

    public void PhotoAdded(int faces)
    {
        _photosAdded.Inc();
        _facesAdded.Inc(faces);
    }

    public void PhotoRemoved(long photos, long faces)
    {
        _photosRemoved.Inc(photos);
        _facesRemoved.Inc(faces);
    }

    public void Rejected(string reason) => _rejected.WithLabels(reason).Inc();

    public void Dispose() => _postgresPool?.Dispose();

    /// <summary>
    /// Reads the index's kind and size and the shards' health as the server knows them. The size is the index's own
    /// count (for garnet, one VCARD a shard, as every search already sends); when a shard cannot answer it, the size is
    /// left out of this scrape rather than shown stale, and the shard gauges say which one is down. The shards' health
    /// is what those commands found, so a scrape never probes the servers beyond that.
    /// </summary>
    private void ReadStateAtScrape()
    {
        _postgresPool?.Observe();
        try
        {
            var kind = _collection.IndexKind;
            KeepOnly(_indexFaces, [[kind]]);
            try
            {
                _indexFaces.WithLabels(kind).Set(_collection.IndexedFaces);
            }
            catch (RvsException)
            {
                _indexFaces.WithLabels(kind).Unpublish();
            }

            var shards = _collection.IndexShards.Where(s => s.Up is not null).ToList();
            var current = shards.Select(s => new[] { s.Shard.ToString(System.Globalization.CultureInfo.InvariantCulture), s.Endpoint }).ToList();
            KeepOnly(_shardUp, current);
            for (var i = 0; i < shards.Count; i++)
            {
                _shardUp.WithLabels(current[i]).Set(shards[i].Up == true ? 1 : 0);
            }
        }
        catch (ObjectDisposedException)
        {
            // A scrape racing shutdown: the collection is gone, and so will the endpoint be.
        }
    }

    /// <summary>Drops the series of <paramref name="gauge"/> whose labels are not among <paramref name="keep"/> (a shard that moved to another node, say).</summary>
    private static void KeepOnly(Gauge gauge, IReadOnlyList<string[]> keep)
    {
        foreach (var labels in gauge.GetAllLabelValues())
        {
            if (!keep.Any(k => k.SequenceEqual(labels, StringComparer.Ordinal)))
            {
                gauge.RemoveLabelled(labels);
            }
        }
    }

    private static class Labels
    {
        public const string Kind = "kind";
        public const string Verdict = "verdict";
        public const string Reason = "reason";
        public const string Shard = "shard";
        public const string Endpoint = "endpoint";
    }
}

/// <summary>The kinds of search the server runs, as the metrics label them.</summary>
internal static class SearchKinds
{
    /// <summary>POST /api/search: by an uploaded photo.</summary>
    public const string Photo = "photo";

    /// <summary>GET /api/faces/{id}/similar: by a face of the collection.</summary>
    public const string Similar = "similar";
}

/// <summary>Why a request was turned away before its work was done.</summary>
internal static class RejectionReasons
{
    public const string UploadTooLarge = "upload_too_large";
    public const string UploadBudgetFull = "upload_budget_full";
    public const string SearchQueueFull = "search_queue_full";
}
