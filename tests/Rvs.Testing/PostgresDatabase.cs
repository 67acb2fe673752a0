using Npgsql;

namespace Rvs.Testing;

/// <summary>A fresh, empty database on the test server (<see cref="PostgresServer"/>), dropped again afterwards.</summary>
public sealed class PostgresDatabase : IDisposable
{
    private readonly string _name = "rvs_" + Guid.NewGuid().ToString("N")[..12];

    public PostgresDatabase()
    {
        using var admin = new NpgsqlConnection(AdminConnectionString);
        admin.Open();
        using var create = new NpgsqlCommand($"CREATE DATABASE {_name}", admin);
        create.ExecuteNonQuery();
        var server = new Uri(PostgresServer.Uri);
        Uri = $"postgresql://{server.UserInfo}@{server.Host}:{server.Port}/{_name}";
        ConnectionString = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = _name, Pooling = false }.ConnectionString;
    }

    /// <summary>The database as rvs is given it: postgresql://user@host:port/name.</summary>
    public string Uri { get; }

    /// <summary>The same database for a test's own queries (not pooled, so the drop never waits on an idle connection).</summary>
    public string ConnectionString { get; }

    /// <summary>The single number a query returns, for a test that looks at the tables themselves.</summary>
    public long Scalar(string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        using var admin = new NpgsqlConnection(AdminConnectionString);
        admin.Open();
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", admin);
        drop.ExecuteNonQuery();
    }

    private static string AdminConnectionString
    {
        get
        {
            var server = new Uri(PostgresServer.Uri);
            return new NpgsqlConnectionStringBuilder
            {
                Host = server.Host,
                Port = server.Port,
                Username = server.UserInfo,
                Database = server.AbsolutePath.Trim('/'),
                Pooling = false,
            }.ConnectionString;
        }
    }
}
