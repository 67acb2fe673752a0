using System.Diagnostics.Metrics;
using Prometheus;

namespace Rvs.Server.Observability;

/// <summary>
/// A shared catalog's PostgreSQL connection pool on /metrics, as Npgsql itself counts it on its meter (OpenTelemetry's
/// database conventions): connections by state, the pool's maximum, requests waiting for a connection and those
/// that gave up. prometheus-net 8.2.1's MeterAdapter connected Npgsql 10's instruments here but published no series
/// from them, so the few that matter are listened to directly and kept in gauges of the server's registry.
/// </summary>
internal sealed class PostgresPoolMetrics : IDisposable
{
    private const string Meter = "Npgsql";

    private readonly MeterListener _listener = new();
    private readonly Gauge _connections;
    private readonly Gauge _max;
    private readonly Gauge _pending;
    private readonly Counter _timeouts;

    // What one Observe collects from every pool: connections by state, and the maxima under MaxKey.
    private readonly Dictionary<string, long> _observed = [];
    private const string MaxKey = "max";

    public PostgresPoolMetrics(IMetricFactory factory)
    {
        _connections = factory.CreateGauge("rvs_postgres_pool_connections",
            "Connections in the shared catalog's pool, by state: idle or used (Npgsql's db.client.connection.count).", ["state"]);
        _max = factory.CreateGauge("rvs_postgres_pool_max_connections", "The most connections the pool opens (Npgsql's db.client.connection.max).");
        _pending = factory.CreateGauge("rvs_postgres_pool_pending_requests", "Requests waiting for a pooled connection now.");
        _timeouts = factory.CreateCounter("rvs_postgres_pool_timeouts_total", "Requests that gave up waiting for a pooled connection.");

        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == Meter)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument.Name, value, tags));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument.Name, value, tags));
        _listener.Start();
    }

    /// <summary>
    /// Asks Npgsql for its pools' current counts, summed over the pools of the process (`rvs serve` has one, its
    /// catalog's); called when Prometheus scrapes.
    /// </summary>
    public void Observe()
    {
        lock (_observed)
        {
            _observed.Clear();
            _listener.RecordObservableInstruments();
            foreach (var state in (string[])["idle", "used"])
            {
                _connections.WithLabels(state).Set(_observed.GetValueOrDefault(state));
            }

            _max.Set(_observed.GetValueOrDefault(MaxKey));
        }
    }

    public void Dispose() => _listener.Dispose();

    // Npgsql reports the pools' counts when observed, and the pending requests and timeouts as changes when they happen.
    private void Record(string instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        switch (instrument)
        {
            case "db.client.connection.count":
                Add(Tag(tags, "db.client.connection.state") ?? "unknown", value);
                break;
            case "db.client.connection.max":
                Add(MaxKey, value);
                break;
            case "db.client.connection.npgsql.pending_requests":
                _pending.Inc(value);
                break;
            case "db.client.connection.npgsql.timeouts":
                _timeouts.Inc(value);
                break;
        }
    }

    // Observable counts arrive only inside Observe, which holds the lock.
    private void Add(string key, long value) => _observed[key] = _observed.GetValueOrDefault(key) + value;

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == key)
            {
                return tag.Value?.ToString();
            }
        }

        return null;
    }
}
