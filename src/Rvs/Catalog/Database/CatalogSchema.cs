using Microsoft.Data.Sqlite;

namespace Rvs.Catalog;

/// <summary>The catalog.db layout and the connection settings every connection to it must use.</summary>
internal static class CatalogSchema
{
    // The latest catalog version; older catalogs are brought up to it when opened (CatalogMigrations).
    public static int Version => CatalogMigrations.Latest;

    public const string FileName = "catalog.db";

    public const string IndexFileName = "index.usearch";

    // Keys of the settings table. Pipeline identity is fixed at creation; the index_* keys describe the saved
    // vector index and are rewritten whenever it is saved.
    public const string KeySchemaVersion = "schema_version";
    public const string KeyPipeline = "pipeline";
    public const string KeyModelId = "model_id";
    public const string KeyMetric = "metric";
    public const string KeyDimensions = "dimensions";
    public const string KeyIndexKind = "index_kind";
    public const string KeyIndexParameterPrefix = "index.";
    public const string KeyGeneration = "generation";
    public const string KeySavedIndexGeneration = "saved_index_generation";
    public const string KeySavedIndexCount = "saved_index_count";
    public const string KeySavedIndexKind = "saved_index_kind";
    public const string KeySavedIndexChecksum = "saved_index_sha256";

    // AUTOINCREMENT keeps ids of removed faces from being handed out again: ids leak into HTML reports, URLs and
    // saved vector indexes, where a recycled id would silently point at a different face.
    public const string Ddl = """
        CREATE TABLE settings (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE images (
            id           INTEGER PRIMARY KEY AUTOINCREMENT,
            path         TEXT NOT NULL UNIQUE,
            source       TEXT NOT NULL,
            entry        TEXT NOT NULL,
            from_archive INTEGER NOT NULL,
            content_hash TEXT NOT NULL,
            size         INTEGER NOT NULL,
            status       TEXT NOT NULL CHECK (status IN ('indexed', 'no_face', 'unreadable')),
            error        TEXT,
            label        TEXT,
            width        INTEGER,
            height       INTEGER,
            indexed_at   TEXT NOT NULL,
            media        TEXT NOT NULL DEFAULT 'photo' CHECK (media IN ('photo', 'video'))
        );
        CREATE INDEX images_source ON images(source);
        CREATE INDEX images_label ON images(label);

        CREATE TABLE faces (
            id        INTEGER PRIMARY KEY AUTOINCREMENT,
            image_id  INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
            ordinal   INTEGER NOT NULL,
            x         REAL NOT NULL,
            y         REAL NOT NULL,
            w         REAL NOT NULL,
            h         REAL NOT NULL,
            score     REAL NOT NULL,
            landmarks TEXT NOT NULL,
            label     TEXT,
            -- A video's face: the time (seconds from the start) its appearance begins. Null for photos.
            time_seconds REAL,
            UNIQUE (image_id, ordinal)
        );

        CREATE TABLE embeddings (
            face_id  INTEGER PRIMARY KEY REFERENCES faces(id) ON DELETE CASCADE,
            model_id TEXT NOT NULL,
            vector   BLOB NOT NULL
        );

        CREATE TABLE thumbnails (
            face_id INTEGER PRIMARY KEY REFERENCES faces(id) ON DELETE CASCADE,
            jpeg    BLOB NOT NULL
        );

        CREATE TABLE photos (
            image_id INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
            bytes    BLOB NOT NULL
        );
        """ + PeopleSchema.Ddl;

    public static string ConnectionString(string databasePath, bool create) => new SqliteConnectionStringBuilder
    {
        DataSource = databasePath,
        Mode = create ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite,
        ForeignKeys = true,
        Pooling = true,
        DefaultTimeout = 60,
    }.ToString();

    /// <summary>
    /// A connection string that can only read. SQLite needs the -wal and -shm files beside a WAL database even to
    /// read it, and creates them if they are missing; where this user cannot create them (a collection owned by
    /// someone else), <paramref name="immutable"/> reads the database file alone, which is what it holds once no
    /// writer has a log open.
    /// </summary>
    public static string ReadOnlyConnectionString(string databasePath, bool immutable, bool pooling = true) => new SqliteConnectionStringBuilder
    {
        DataSource = immutable ? new Uri(databasePath).AbsoluteUri + "?immutable=1" : databasePath,
        Mode = SqliteOpenMode.ReadOnly,
        ForeignKeys = true,
        Pooling = pooling,
        DefaultTimeout = 60,
    }.ToString();

    public static bool IsReadOnly(string connectionString) => new SqliteConnectionStringBuilder(connectionString).Mode == SqliteOpenMode.ReadOnly;

    public static SqliteConnection Open(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        if (IsReadOnly(connectionString))
        {
            // Setting the journal mode or upgrading would write; a read-only open was checked to need neither.
            Execute(connection, "PRAGMA busy_timeout = 60000;");
            return connection;
        }

        // WAL lets searches read while an indexing run writes, and a killed writer leaves only uncommitted frames
        // that the next open ignores. NORMAL is durable to the last checkpoint on power loss and fully consistent
        // on a process crash, which is what a resumable indexer needs, at a fraction of FULL's fsyncs.
        Execute(connection, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 60000;");
        CatalogMigrations.UpgradeIfOld(connection);
        return connection;
    }

    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static string StatusText(ImageStatus status) => status switch
    {
        ImageStatus.Indexed => "indexed",
        ImageStatus.NoFace => "no_face",
        ImageStatus.Unreadable => "unreadable",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static ImageStatus ParseStatus(string text) => text switch
    {
        "indexed" => ImageStatus.Indexed,
        "no_face" => ImageStatus.NoFace,
        "unreadable" => ImageStatus.Unreadable,
        _ => throw new CollectionException($"unknown image status '{text}' in the catalog"),
    };
}
