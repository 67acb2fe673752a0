using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Extensions.DependencyInjection;

namespace Rvs.Server;

/// <summary>What the server checks about a request before any handler runs: its Host header and its method.</summary>
internal static class RequestGuards
{
    /// <summary>
    /// The Host names the server answers to. A page on another site can make a browser send requests to a loopback
    /// server under the page's own host name (DNS rebinding); refusing unknown names stops it reading the collection.
    /// Given names win; otherwise the hosts of the listening URLs, with every loopback name when one is loopback.
    /// A wildcard address (0.0.0.0, *, +) accepts any name: rvs cannot know what the machine is called.
    /// </summary>
    public static List<string> AllowedHosts(ServerOptions options)
    {
        if (options.AllowedHosts is { Count: > 0 } given)
        {
            return [.. given];
        }

        var hosts = new List<string>();
        foreach (var url in options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var host = url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
            host = host.Split('/')[0];
            host = host.StartsWith('[') ? host[..(host.IndexOf(']') + 1)] : host.Split(':')[0];
            if (host is "*" or "+" or "0.0.0.0" or "[::]")
            {
                return ["*"];
            }

            if (host == "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)))
            {
                hosts.AddRange(["localhost", "127.0.0.1", "[::1]"]);
            }

            hosts.Add(host);
        }

        return [.. hosts.Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>
    /// A 405 naming the allowed methods when another method of this path has a route (HEAD or PUT on a read route,
    /// say); null when no route has this path at all.
    /// </summary>
    public static IResult? MethodNotAllowed(HttpContext context)
    {
        var methods = context.RequestServices.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && !raw.Contains("{*", StringComparison.Ordinal)
                && new TemplateMatcher(TemplateParser.Parse(raw), new RouteValueDictionary()).TryMatch(context.Request.Path, new RouteValueDictionary()))
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [])
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        if (methods.Count == 0)
        {
            return null;
        }

        context.Response.Headers.Allow = string.Join(", ", methods);
        return ApiResults.Error(StatusCodes.Status405MethodNotAllowed, $"{context.Request.Method} is not allowed here; use {string.Join(" or ", methods)}");
    }
}
