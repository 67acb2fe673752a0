using System.Data;
using System.Data.Common;
using System.Net.Sockets;
using Npgsql;

namespace Rvs.Catalog.PostgreSql;

/// <summary>
/// A catalog in a PostgreSQL database that several rvs processes share: indexers write to it at once, servers read
/// it at once. There is no collection directory: an embedded vector index is rebuilt from the embeddings at every
/// open, and thumbnails and archive photos are read from the database, so any process can show any hit.
/// </summary>
internal sealed class PostgresCatalog : ICatalog
{
    private readonly NpgsqlDataSource _source;
    private readonly int _version;

    private PostgresCatalog(PostgresUri uri, bool readOnly, int version)
    {
        Location = uri.Display;
        ReadOnly = readOnly;
        _version = version;
        var builder = uri.Builder;
        if (readOnly)
        {
            // The server enforces it: a command that only reads cannot write by mistake.
            builder.Options = ((builder.Options ?? "") + " -c default_transaction_read_only=on").Trim();
        }

        _source = NpgsqlDataSource.Create(builder.ConnectionString);
        Outbox = new VectorOutbox(this);
    }

    public string Location { get; }

    public string? Directory => null;

    public bool ReadOnly { get; }

    public bool NeedsUpgrade => _version < PostgresSchema.Latest;

    public CollectionException NeedsUpgradeError() =>
        new($"the shared catalog {Location} is at schema version {_version}, and this rvs needs version {PostgresSchema.Latest}, which this "
            + $"command does not make because it only reads: run `rvs index --catalog {Location} <photos>` (any command that writes) to upgrade it");

    /// <summary>Whether the database at <paramref name="uri"/> holds a collection; a server that cannot be reached is an error.</summary>
    public static bool Exists(string uri)
    {
        var parsed = PostgresUri.Parse(uri);
        using var probe = new PostgresCatalog(parsed, readOnly: true, version: 0);
        return probe.Guard(() =>
        {
            using var connection = probe.Open();
            return PostgresSchema.Version(connection) > 0
                && Sql.Scalar(connection, null, $"SELECT count(*) FROM settings WHERE key = '{CatalogSchema.KeyPipeline}'") > 0;
        });
    }

    /// <summary>The catalog of an existing collection, upgraded first unless <paramref name="readOnly"/>.</summary>
    public static PostgresCatalog OpenExisting(string uri, bool readOnly)
    {
        var parsed = PostgresUri.Parse(uri);
        if (!Exists(uri))
        {
            throw new CollectionException($"There is no collection in {parsed.Display}; index some photos into it first (rvs index --catalog {parsed.Display} <photos>).");
        }

        return Opened(parsed, readOnly, pipeline: null);
    }

    /// <summary>The catalog at <paramref name="uri"/>, its tables and settings created for this pipeline if it has none.</summary>
    /// <param name="created">Runs inside the creating transaction, under the creation lock, when this call creates the
    /// collection: a shared vector store is emptied there, before any other process can open the catalog and write to it.</param>
    public static PostgresCatalog OpenOrCreate(string uri, PipelineIdentity pipeline, string indexKind, IReadOnlyDictionary<string, string> indexSettings, Action? created = null) =>
        Opened(PostgresUri.Parse(uri), readOnly: false, (pipeline, indexKind, indexSettings), created);

    private static PostgresCatalog Opened(
        PostgresUri uri,
        bool readOnly,
        (PipelineIdentity Pipeline, string Kind, IReadOnlyDictionary<string, string> Settings)? pipeline,
        Action? onCreated = null)
    {
        var writer = new PostgresCatalog(uri, readOnly: false, version: 0);
        int version;
        try
        {
            version = writer.Guard(() =>
            {
                using var connection = writer.Open();
                var found = PostgresSchema.Version(connection);
                if (found > PostgresSchema.Latest)
                {
                    throw new CollectionException($"The shared catalog {uri.Display} is at schema version {found}; this rvs reads up to version {PostgresSchema.Latest}. Use a newer rvs.");
                }

                if (readOnly || (found == PostgresSchema.Latest && pipeline is null))
                {
                    return found;
                }

                using var transaction = connection.BeginTransaction();
                PostgresSchema.Migrate(connection, transaction);
                if (pipeline is { } created && Sql.Scalar(connection, transaction, $"SELECT count(*) FROM settings WHERE key = '{CatalogSchema.KeyPipeline}'") == 0)
                {
                    foreach (var (key, value) in CatalogQueries.Initial(created.Pipeline, PostgresSchema.Latest))
                    {
                        CatalogQueries.WriteSetting(connection, transaction, key, value);
                    }

                    CatalogQueries.WriteBackEnd(connection, transaction, created.Kind, created.Settings);
                    onCreated?.Invoke();
                }

                transaction.Commit();
                return PostgresSchema.Latest;
            });
        }
        finally
        {
            writer.Dispose();
        }

        return new PostgresCatalog(uri, readOnly, version);
    }

    public ICatalogWriter Writer(PipelineIdentity pipeline, bool queueVectors) =>
        new CatalogWriter(this, pipeline, PhotoClash.KeepFirst, queueVectors ? VectorOutbox.Enqueue : null);

    /// <summary>The queue that keeps a shared vector store (garnet) in step with this catalog.</summary>
    public VectorOutbox? Outbox { get; }

    public DbConnection Connect() => Open();

    public DbTransaction BeginSnapshot(DbConnection connection) =>
        ((NpgsqlConnection)connection).BeginTransaction(IsolationLevel.RepeatableRead);

    public T Guard<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            throw new CollectionException($"The database of the shared catalog {Location} does not exist; create it first (createdb, or CREATE DATABASE).", e);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification)
        {
            throw new CollectionException($"PostgreSQL refused the user of the shared catalog {Location}: {e.MessageText}", e);
        }
        catch (PostgresException e)
        {
            throw new CollectionException($"The shared catalog {Location} failed: {e.MessageText}", e);
        }
        catch (NpgsqlException e) when (e.InnerException is SocketException or TimeoutException or IOException || e.IsTransient)
        {
            throw new CollectionException($"Cannot reach the shared catalog {Location}: {e.InnerException?.Message ?? e.Message}; is PostgreSQL running there?", e);
        }
        catch (NpgsqlException e)
        {
            throw new CollectionException($"The shared catalog {Location} failed: {e.Message}", e);
        }
    }

    public T GuardWrite<T>(Func<T> action) => Guard(action);

    public CollectionException Damaged(string problem) =>
        new CatalogDamagedException($"The shared catalog {Location} is damaged: {problem}. It was left as it is.");

    public CollectionSettings ReadSettings() => Guard(() =>
    {
        using var connection = Open();
        return CatalogQueries.Settings(CatalogQueries.ReadAll(connection, null), Location);
    });

    public long SizeOnDiskBytes() => Guard(() =>
    {
        using var connection = Open();
        return Sql.Scalar(connection, null, "SELECT pg_database_size(current_database())");
    });

    public void Dispose() => _source.Dispose();

    private NpgsqlConnection Open() => _source.OpenConnection();
}
