using System.Globalization;
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
        Reader = new CatalogReader(this);
    }

    /// <summary>Absolute path of the collection directory.</summary>
    public string Directory { get; }

    public string Location => Directory;

    public ICatalogReader Reader { get; }

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

    public ICatalogWriter Writer(PipelineIdentity pipeline) => new CatalogWriter(this, pipeline);

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
            return ReadAll(connection, null);
        });
        string Required(string key) => all.TryGetValue(key, out var value)
            ? value
            : throw new CollectionException($"The collection at '{Directory}' lacks the '{key}' setting; the catalog is damaged.");

        var version = int.Parse(Required(CatalogSchema.KeySchemaVersion), CultureInfo.InvariantCulture);
        if (version > CatalogSchema.Version)
        {
            throw new CollectionException($"The collection at '{Directory}' has catalog version {version}; this rvs reads up to version {CatalogSchema.Version}. Use a newer rvs.");
        }

        var parameters = all.Where(p => p.Key.StartsWith(CatalogSchema.KeyIndexParameterPrefix, StringComparison.Ordinal))
            .ToDictionary(p => p.Key[CatalogSchema.KeyIndexParameterPrefix.Length..], p => p.Value, StringComparer.Ordinal);
        var pipeline = new PipelineIdentity(Required(CatalogSchema.KeyPipeline), Required(CatalogSchema.KeyModelId),
            int.Parse(Required(CatalogSchema.KeyDimensions), CultureInfo.InvariantCulture));
        return new CollectionSettings(version, pipeline, Required(CatalogSchema.KeyMetric),
            all.GetValueOrDefault(CatalogSchema.KeyIndexKind) ?? "auto", parameters);
    }

    /// <summary>Records the back end the collection uses from now on (only `reindex --index` and creation do this).</summary>
    public void RecordBackEnd(string kind, IReadOnlyDictionary<string, string> settings) => Guard(() =>
    {
        using var connection = Connect();
        using var transaction = connection.BeginTransaction();
        WriteBackEnd(connection, transaction, kind, settings);
        transaction.Commit();
    });

    /// <summary>The generation, the face count, the largest face id and the saved index's stamp, read in one snapshot.</summary>
    public (long Generation, long Faces, long MaxFaceId, SavedIndexStamp? Saved) ReadState() => Guard(() =>
    {
        using var connection = Connect();
        using var transaction = connection.BeginTransaction(deferred: true);
        var all = ReadAll(connection, transaction);
        var faces = CountFaces(connection, transaction);
        var maxFaceId = MaxFaceId(connection, transaction);
        transaction.Commit();
        var generation = long.Parse(all[CatalogSchema.KeyGeneration], CultureInfo.InvariantCulture);
        // The stamp only vouches for a cache: one that does not parse is no stamp, and the index is rebuilt.
        SavedIndexStamp? saved = all.TryGetValue(CatalogSchema.KeySavedIndexGeneration, out var g) && long.TryParse(g, CultureInfo.InvariantCulture, out var savedGeneration)
            && all.TryGetValue(CatalogSchema.KeySavedIndexCount, out var c) && long.TryParse(c, CultureInfo.InvariantCulture, out var savedCount)
            && all.TryGetValue(CatalogSchema.KeySavedIndexKind, out var k)
            ? new SavedIndexStamp(savedGeneration, savedCount, k, all.GetValueOrDefault(CatalogSchema.KeySavedIndexChecksum))
            : null;
        return (generation, faces, maxFaceId, saved);
    });

    /// <summary>The catalog's generation now: one indexed read, cheap enough to ask before every search.</summary>
    public long ReadGeneration() => Guard(() =>
    {
        using var connection = Connect();
        return ReadGeneration(connection, null);
    });

    /// <summary>Records the saved index's stamp and checksum together, in one transaction.</summary>
    public void WriteStamp(SavedIndexStamp stamp) => Guard(() =>
    {
        using var connection = Connect();
        using var transaction = connection.BeginTransaction();
        WriteSetting(connection, transaction, CatalogSchema.KeySavedIndexGeneration, stamp.Generation.ToString(CultureInfo.InvariantCulture));
        WriteSetting(connection, transaction, CatalogSchema.KeySavedIndexCount, stamp.Count.ToString(CultureInfo.InvariantCulture));
        WriteSetting(connection, transaction, CatalogSchema.KeySavedIndexKind, stamp.Kind);
        WriteSetting(connection, transaction, CatalogSchema.KeySavedIndexChecksum, stamp.Checksum ?? "");
        transaction.Commit();
    });

    public long CountFaces() => Guard(() =>
    {
        using var connection = Connect();
        return CountFaces(connection, null);
    });

    public static long CountFaces(SqliteConnection connection, SqliteTransaction? transaction) =>
        Sql.Scalar(connection, transaction, "SELECT count(*) FROM embeddings");

    public static long MaxFaceId(SqliteConnection connection, SqliteTransaction? transaction) =>
        Sql.Scalar(connection, transaction, "SELECT coalesce(max(face_id), 0) FROM embeddings");

    public static long ReadGeneration(SqliteConnection connection, SqliteTransaction? transaction) =>
        Sql.Scalar(connection, transaction, $"SELECT value FROM settings WHERE key = '{CatalogSchema.KeyGeneration}'");

    /// <summary>Moves the generation on inside a writing transaction and returns the new value.</summary>
    public static long BumpGeneration(SqliteConnection connection, SqliteTransaction transaction) =>
        Sql.Scalar(connection, transaction,
            $"UPDATE settings SET value = CAST(value AS INTEGER) + 1 WHERE key = '{CatalogSchema.KeyGeneration}' RETURNING value");

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
            WriteSetting(connection, transaction, CatalogSchema.KeySchemaVersion, CatalogSchema.Version.ToString(CultureInfo.InvariantCulture));
            WriteSetting(connection, transaction, CatalogSchema.KeyPipeline, pipeline.Name);
            WriteSetting(connection, transaction, CatalogSchema.KeyModelId, pipeline.ModelId);
            WriteSetting(connection, transaction, CatalogSchema.KeyMetric, "l2");
            WriteSetting(connection, transaction, CatalogSchema.KeyDimensions, pipeline.Dimensions.ToString(CultureInfo.InvariantCulture));
            WriteSetting(connection, transaction, CatalogSchema.KeyGeneration, "0");
            WriteBackEnd(connection, transaction, indexKind, indexSettings);
        }

        transaction.Commit();
    }

    private static void WriteBackEnd(SqliteConnection connection, SqliteTransaction transaction, string kind, IReadOnlyDictionary<string, string> settings)
    {
        WriteSetting(connection, transaction, CatalogSchema.KeyIndexKind, kind);
        using (var clear = Sql.Command(connection, transaction, "DELETE FROM settings WHERE substr(key, 1, length($p)) = $p"))
        {
            clear.Parameters.AddWithValue("$p", CatalogSchema.KeyIndexParameterPrefix);
            clear.ExecuteNonQuery();
        }

        foreach (var (key, value) in settings)
        {
            WriteSetting(connection, transaction, CatalogSchema.KeyIndexParameterPrefix + key, value);
        }
    }

    private static Dictionary<string, string> ReadAll(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using var command = Sql.Command(connection, transaction, "SELECT key, value FROM settings");
        using var reader = command.ExecuteReader();
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            all[reader.GetString(0)] = reader.GetString(1);
        }

        return all;
    }

    private static void WriteSetting(SqliteConnection connection, SqliteTransaction transaction, string key, string value)
    {
        using var command = Sql.Command(connection, transaction, "INSERT INTO settings (key, value) VALUES ($k, $v) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
        command.Parameters.AddWithValue("$k", key);
        command.Parameters.AddWithValue("$v", value);
        command.ExecuteNonQuery();
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
