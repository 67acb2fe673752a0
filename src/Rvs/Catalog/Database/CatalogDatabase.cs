using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Rvs.Catalog;

/// <summary>
/// The catalog.db of one collection directory: its connections, its schema, and its settings table (pipeline
/// identity, the recorded vector back end, the generation every write moves on, and the stamp of the saved index).
/// </summary>
internal sealed class CatalogDatabase : ICatalog
{
    private readonly string _connectionString;
    private bool _disposed;

    private CatalogDatabase(string directory, string connectionString, bool readOnly, long userVersion)
    {
        Directory = directory;
        _connectionString = connectionString;
        ReadOnly = readOnly;
        NeedsUpgrade = CatalogMigrations.IsOld(userVersion);
    }

    /// <summary>Absolute path of the collection directory.</summary>
    public string Directory { get; }

    public string Location => Directory;

    /// <summary>How every connection to this catalog is opened (read-only or not, as it was opened).</summary>
    public string ConnectionString => _connectionString;

    /// <summary>Whether every connection is read-only (a command that only reads; nothing here may write).</summary>
    public bool ReadOnly { get; }

    /// <summary>Whether the catalog is at an older version that a read-write open upgrades (a read-only one cannot).</summary>
    public bool NeedsUpgrade { get; }

    /// <summary>What a read-only open of a catalog that needs an upgrade says: it cannot upgrade without writing.</summary>
    public static CollectionException NeedsUpgradeError(string directory) =>
        new($"the collection at '{directory}' needs an upgrade to catalog version {CatalogSchema.Version}, which this command does not make "
            + $"because it only reads: run `rvs reindex --collection {directory}` (or any command that writes) as its owner");

    public CollectionException NeedsUpgradeError() => NeedsUpgradeError(Directory);

    // catalog.db has no other process to hand vectors to: its Garnet sets are refilled by the one process that owns it.
    public ICatalogWriter Writer(PipelineIdentity pipeline, bool queueVectors) => new CatalogWriter(this, pipeline);

    /// <summary>The catalog and the saved index files beside it (the collection directory's files).</summary>
    public long SizeOnDiskBytes() => new DirectoryInfo(Directory).EnumerateFiles().Sum(f => f.Length);

    /// <summary>Whether the directory has a catalog.db (a directory of that name counts, to be reported as damage).</summary>
    public static bool Exists(string directory) => Path.Exists(PathIn(directory));

    /// <summary>
    /// The catalog of an existing collection, checked (see <see cref="CatalogCheck"/>) before anything may write to
    /// it; fails clearly if there is none or it is damaged. <paramref name="readOnly"/> opens every connection
    /// read-only, for commands that only read: they then work on a collection this user may not write.
    /// </summary>
    public static CatalogDatabase OpenExisting(string directory, bool readOnly = false)
    {
        var full = Path.GetFullPath(directory);
        if (!Exists(full))
        {
            throw new CollectionException($"There is no collection at '{full}' (no {CatalogSchema.FileName}); index some photos into it first.");
        }

        var path = PathIn(full);
        var (userVersion, immutable) = Check(path, thorough: !readOnly);
        var connectionString = readOnly
            ? CatalogSchema.ReadOnlyConnectionString(path, immutable)
            : CatalogSchema.ConnectionString(path, create: false);
        return new CatalogDatabase(full, connectionString, readOnly, userVersion);
    }

    /// <summary>The catalog in <paramref name="directory"/>, created (with the directory) for this pipeline if missing.</summary>
    public static CatalogDatabase OpenOrCreate(string directory, PipelineIdentity pipeline, string indexKind, IReadOnlyDictionary<string, string> indexSettings)
    {
        var full = Path.GetFullPath(directory);
        if (File.Exists(full))
        {
            throw new CollectionException($"'{full}' is a file; a collection is a directory");
        }

        System.IO.Directory.CreateDirectory(full);
        var userVersion = Exists(full) ? Check(PathIn(full), thorough: true).UserVersion : CatalogSchema.Version;
        var database = new CatalogDatabase(full, CatalogSchema.ConnectionString(PathIn(full), create: true), readOnly: false, userVersion);
        database.Guard(() => database.CreateIfMissing(pipeline, indexKind, indexSettings));
        return database;
    }

    public SqliteConnection Connect()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return CatalogSchema.Open(_connectionString);
    }

    DbConnection ICatalog.Connect() => Connect();

    public DbTransaction BeginSnapshot(DbConnection connection) => ((SqliteConnection)connection).BeginTransaction(deferred: true);

    public CollectionException Damaged(string problem) => CatalogCheck.Damaged(PathIn(Directory), problem);

    /// <summary>Runs a catalog read, turning SQLite's failures into a message that names the collection.</summary>
    public T Guard<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (SqliteException e) when (CatalogCheck.IsDamage(e))
        {
            throw CatalogCheck.Damaged(PathIn(Directory), e);
        }
        catch (SqliteException e)
        {
            throw new CollectionException($"'{Directory}' does not hold a readable rvs collection: {e.Message}", e);
        }
    }

    /// <summary>A write fails as SQLite says (a full disk, a lock held too long): nothing to rename, and nothing was lost.</summary>
    public T GuardWrite<T>(Func<T> action) => action();

    public void Guard(Action action) => Guard(() =>
    {
        action();
        return true;
    });

    public CollectionSettings ReadSettings()
    {
        var all = Guard(() =>
        {
            using var connection = Connect();
            return CatalogQueries.ReadAll(connection, null);
        });
        var settings = CatalogQueries.Settings(all, Directory);
        if (settings.SchemaVersion > CatalogSchema.Version)
        {
            throw new CollectionException($"The collection at '{Directory}' has catalog version {settings.SchemaVersion}; this rvs reads up to version {CatalogSchema.Version}. Use a newer rvs.");
        }

        return settings;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        // Pooled connections would keep the database files open after the collection is closed.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private void CreateIfMissing(PipelineIdentity pipeline, string indexKind, IReadOnlyDictionary<string, string> indexSettings)
    {
        using var connection = Connect();
        using var transaction = connection.BeginTransaction();
        if (Sql.Scalar(connection, transaction, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'settings'") == 0)
        {
            CatalogSchema.Execute(connection, CatalogSchema.Ddl, transaction);
            CatalogSchema.Execute(connection, $"PRAGMA user_version = {CatalogSchema.Version}", transaction);
            foreach (var (key, value) in CatalogQueries.Initial(pipeline, CatalogSchema.Version))
            {
                CatalogQueries.WriteSetting(connection, transaction, key, value);
            }

            CatalogQueries.WriteBackEnd(connection, transaction, indexKind, indexSettings);
        }

        transaction.Commit();
    }

    private static string PathIn(string directory) => Path.Combine(directory, CatalogSchema.FileName);

    // The check reads through a read-only connection. Where this user cannot create the -wal and -shm files SQLite
    // wants beside a WAL database, it reads the file alone (immutable) instead.
    private static (long UserVersion, bool Immutable) Check(string path, bool thorough)
    {
        try
        {
            return (CatalogCheck.Run(path, CatalogSchema.ReadOnlyConnectionString(path, immutable: false, pooling: false), thorough), false);
        }
        catch (SqliteException e) when ((e.SqliteErrorCode & 0xFF) is 14 or 8) // SQLITE_CANTOPEN, SQLITE_READONLY
        {
            return (CatalogCheck.Run(path, CatalogSchema.ReadOnlyConnectionString(path, immutable: true, pooling: false), thorough), true);
        }
        catch (SqliteException e)
        {
            throw new CollectionException($"'{Path.GetDirectoryName(path)}' does not hold a readable rvs collection: {e.Message}", e);
        }
    }
}

/// <summary>
/// What the catalog recorded about the last saved index: the generation and face count it held, its kind, and the
/// checksum of its files (null or empty when none was recorded: an index saved by an older rvs).
/// </summary>
internal sealed record SavedIndexStamp(long Generation, long Count, string Kind, string? Checksum = null);
