using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Rvs.Catalog.PostgreSql;

/// <summary>
/// A catalog named the way libpq names a database, postgresql://[user[:password]@][host][:port][,host:port…][/db][?key=value…]
/// (postgres:// too), turned into Npgsql's connection string. Npgsql reads only its own key=value form, so the URI is
/// taken apart here; the query keys libpq documents that Npgsql has a setting for are passed on, any other is refused.
/// </summary>
internal sealed class PostgresUri
{
    private static readonly string[] Schemes = ["postgresql://", "postgres://"];

    // libpq's query keys → Npgsql's connection-string keys.
    private static readonly Dictionary<string, string> QueryKeys = new(StringComparer.Ordinal)
    {
        ["user"] = "Username",
        ["password"] = "Password",
        ["dbname"] = "Database",
        ["host"] = "Host",
        ["port"] = "Port",
        ["sslmode"] = "SSL Mode",
        ["connect_timeout"] = "Timeout",
        ["application_name"] = "Application Name",
        ["options"] = "Options",
        ["target_session_attrs"] = "Target Session Attributes",
        ["passfile"] = "Passfile",
    };

    private readonly string _connectionString;

    private PostgresUri(NpgsqlConnectionStringBuilder builder, string display)
    {
        _connectionString = builder.ConnectionString;
        Display = display;
    }

    /// <summary>The Npgsql settings the URI gives (a fresh copy each time, so callers may add to it).</summary>
    public NpgsqlConnectionStringBuilder Builder => new(_connectionString);

    /// <summary>The URI as shown in messages: the password, if it has one, left out.</summary>
    public string Display { get; }

    /// <summary>Whether <paramref name="location"/> is a catalog URI rather than a collection directory.</summary>
    public static bool IsUri(string location) =>
        Schemes.Any(s => location.StartsWith(s, StringComparison.OrdinalIgnoreCase));

    /// <summary>Parses a libpq URI; a malformed one is refused with a one-line message saying what is wrong.</summary>
    public static PostgresUri Parse(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var scheme = Schemes.FirstOrDefault(s => uri.StartsWith(s, StringComparison.OrdinalIgnoreCase))
            ?? throw Bad(uri, "it must start with postgresql:// or postgres://");
        var rest = uri[scheme.Length..];
        var query = "";
        if (rest.IndexOf('?') is var q and >= 0)
        {
            query = rest[(q + 1)..];
            rest = rest[..q];
        }

        var builder = new NpgsqlConnectionStringBuilder();
        var display = scheme;
        if (rest.LastIndexOf('@') is var at and >= 0)
        {
            var userInfo = rest[..at];
            rest = rest[(at + 1)..];
            var colon = userInfo.IndexOf(':');
            builder.Username = Decode(uri, colon >= 0 ? userInfo[..colon] : userInfo);
            if (colon >= 0)
            {
                builder.Password = Decode(uri, userInfo[(colon + 1)..]);
            }

            display += userInfo[..(colon >= 0 ? colon : userInfo.Length)] + "@";
        }

        var slash = rest.IndexOf('/');
        var hosts = Decode(uri, slash >= 0 ? rest[..slash] : rest);
        var database = slash >= 0 ? Decode(uri, rest[(slash + 1)..]) : "";
        if (hosts.Contains(',', StringComparison.Ordinal))
        {
            // Several hosts: Npgsql takes host:port pairs, comma-separated, as libpq does.
            builder.Host = hosts;
        }
        else if (hosts.Length > 0)
        {
            var portAt = hosts.LastIndexOf(':');
            if (portAt > hosts.LastIndexOf(']'))
            {
                builder.Port = int.TryParse(hosts[(portAt + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
                    ? port
                    : throw Bad(uri, $"'{hosts[(portAt + 1)..]}' is not a port");
                hosts = hosts[..portAt];
            }

            builder.Host = hosts.Trim('[', ']');
        }

        if (database.Length > 0)
        {
            builder.Database = database;
        }

        display += rest;
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=');
            var key = Decode(uri, equals >= 0 ? pair[..equals] : pair);
            if (equals < 0 || !QueryKeys.TryGetValue(key, out var setting))
            {
                throw Bad(uri, $"'{key}' is not a setting rvs passes on (it takes {string.Join(", ", QueryKeys.Keys)})");
            }

            try
            {
                builder[setting] = Decode(uri, pair[(equals + 1)..]);
            }
            catch (ArgumentException e)
            {
                throw Bad(uri, $"{key}: {e.Message}");
            }

            if (key != "password")
            {
                display += (display.Contains('?', StringComparison.Ordinal) ? "&" : "?") + pair;
            }
        }

        if (string.IsNullOrEmpty(builder.Host))
        {
            throw Bad(uri, "it names no host (postgresql://user@host:port/database)");
        }

        if (string.IsNullOrEmpty(builder.Database))
        {
            throw Bad(uri, "it names no database (postgresql://user@host:port/database)");
        }

        return new PostgresUri(builder, display);
    }

    private static string Decode(string uri, string part)
    {
        try
        {
            return Uri.UnescapeDataString(part);
        }
        catch (UriFormatException e)
        {
            throw Bad(uri, e.Message);
        }
    }

    private static CollectionException Bad(string uri, string why)
    {
        // Never echo a password.
        var shown = Regex.Replace(uri, "(://[^:/@]*):[^@/]*@", "$1:…@");
        return new CollectionException(string.Create(CultureInfo.InvariantCulture, $"'{shown}' is not a catalog URI rvs can use: {why}"));
    }
}
