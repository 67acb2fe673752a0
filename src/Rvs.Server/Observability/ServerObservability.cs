using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Rvs.Server.Observability;

/// <summary>How the server's log lines are written to the console.</summary>
public enum ServerLogFormat
{
    /// <summary>One readable line per message, with the request's id among its scopes.</summary>
    Plain,

    /// <summary>One JSON object per line (message, level, category, scopes with request_id), for a log collector.</summary>
    Json,
}

/// <summary>Wires the logs and /metrics into the server: one place for the formatter, the request ids and the exporter.</summary>
internal static class ServerObservability
{
    public const string MetricsPath = "/metrics";

    /// <summary>Scopes are on in both formats, since the request id reaches a log line only as a scope.</summary>
    public static void ConfigureLogging(ILoggingBuilder logging, ServerLogFormat format)
    {
        if (format == ServerLogFormat.Json)
        {
            logging.AddJsonConsole(json =>
            {
                json.IncludeScopes = true;
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            logging.AddSimpleConsole(plain => plain.IncludeScopes = true);
        }
    }

    /// <summary>
    /// The request-duration histogram (by route template, method and status class) in the server's own registry. It
    /// goes after routing, so requests are labelled by their route, and before the error handlers, so it sees the
    /// status they answer with.
    /// </summary>
    public static void UseHttpMetrics(WebApplication app, ServerMetrics metrics)
    {
        app.UseRouting();
        app.UseHttpMetrics(http =>
        {
            http.SetMetricFactory(metrics.Factory);
            http.ReduceStatusCodeCardinality();
        });
    }

    public static void MapMetrics(WebApplication app, ServerMetrics metrics) =>
        app.MapMetrics(MetricsPath, metrics.Registry).ExcludeFromDescription();
}
