using System.Net;
using System.Net.Sockets;
using Rvs.Catalog;
using Rvs.Catalog.PostgreSql;

namespace Rvs.Tests.Catalog.PostgreSql;

/// <summary>The libpq URI form, and what rvs says when the server it names is not there. No server is needed.</summary>
public sealed class PostgresUriTests
{
    [Fact]
    public void a_libpq_uri_becomes_npgsql_settings_and_shows_without_its_password()
    {
        var uri = PostgresUri.Parse("postgresql://rvs:s%40cret@db.example:5433/faces?sslmode=require&application_name=rvs-index");

        var builder = uri.Builder;
        Assert.Equal("rvs", builder.Username);
        Assert.Equal("s@cret", builder.Password);
        Assert.Equal("db.example", builder.Host);
        Assert.Equal(5433, builder.Port);
        Assert.Equal("faces", builder.Database);
        Assert.Equal(Npgsql.SslMode.Require, builder.SslMode);
        Assert.Equal("rvs-index", builder.ApplicationName);
        Assert.Equal("postgresql://rvs@db.example:5433/faces?sslmode=require&application_name=rvs-index", uri.Display);
        Assert.DoesNotContain("cret", uri.Display, StringComparison.Ordinal);
    }

    [Fact]
    public void the_short_scheme_and_several_hosts_are_taken_as_libpq_takes_them()
    {
        Assert.True(PostgresUri.IsUri("postgres://h/db"));
        Assert.False(PostgresUri.IsUri("lfw-collection"));
        Assert.Equal(5432, PostgresUri.Parse("postgres://h/db").Builder.Port);
        Assert.Equal("a:5432,b:5433", PostgresUri.Parse("postgresql://u@a:5432,b:5433/db").Builder.Host);
        Assert.Equal("::1", PostgresUri.Parse("postgresql://u@[::1]:6000/db").Builder.Host);
    }

    [Theory]
    [InlineData("postgresql://u:topsecret@h:5432", "names no database")]
    [InlineData("postgresql://u:topsecret@/db", "names no host")]
    [InlineData("postgresql://u:topsecret@h:port/db", "'port' is not a port")]
    [InlineData("postgresql://u:topsecret@h/db?fsync=off", "'fsync' is not a setting")]
    public void a_malformed_uri_is_refused_in_one_line_that_never_shows_the_password(string uri, string why)
    {
        var error = Assert.Throws<CollectionException>(() => PostgresUri.Parse(uri));

        Assert.Contains(why, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("topsecret", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void a_catalog_whose_server_is_not_running_gives_one_clear_line()
    {
        // A port that was free a moment ago: nothing listens there, as after the server was stopped.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var error = Assert.Throws<CollectionException>(() => FaceCollection.Open($"postgresql://rvs@127.0.0.1:{port}/faces"));

        Assert.StartsWith($"Cannot reach the shared catalog postgresql://rvs@127.0.0.1:{port}/faces:", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("is PostgreSQL running there?", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }
}
