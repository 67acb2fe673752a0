using System.Globalization;
using Npgsql;

namespace Rvs.Catalog.PostgreSql;

/// <summary>
/// The shared catalog's tables, as ordered, numbered steps; schema_migrations records each step applied. A new
/// database runs them all; one made by an older rvs runs those it lacks. The tables and columns are those of
/// catalog.db (<see cref="CatalogSchema"/>), so <see cref="CatalogReader"/> and <see cref="CatalogWriter"/> serve
/// both; persons (<see cref="PeopleSchema"/>) are not here yet.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>One schema version: the number it brings the catalog to, what it adds in words, and its DDL.</summary>
    internal sealed record Step(int Version, string Adds, string Ddl);

    // Append new steps at the end with the next number; never edit one that has shipped.
    internal static readonly Step[] Steps =
    [
        new(1, "settings, photos, faces, embeddings, thumbnails and stored photo bytes", """
            CREATE TABLE settings (
                key   text PRIMARY KEY,
                value text NOT NULL
            );

            CREATE TABLE images (
                id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                path         text NOT NULL UNIQUE,
                source       text NOT NULL,
                entry        text NOT NULL,
                from_archive boolean NOT NULL,
                content_hash text NOT NULL,
                size         bigint NOT NULL,
                status       text NOT NULL CHECK (status IN ('indexed', 'no_face', 'unreadable')),
                error        text,
                label        text,
                width        integer,
                height       integer,
                indexed_at   timestamptz NOT NULL,
                media        text NOT NULL DEFAULT 'photo' CHECK (media IN ('photo', 'video'))
            );
            CREATE INDEX images_source ON images (source);
            CREATE INDEX images_label ON images (label);

            -- Identities, like catalog.db's AUTOINCREMENT, never hand out an id twice: ids live on in saved indexes,
            -- in Garnet and in URLs, where a recycled one would point at another face.
            CREATE TABLE faces (
                id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                image_id     bigint NOT NULL REFERENCES images (id) ON DELETE CASCADE,
                ordinal      integer NOT NULL,
                x            real NOT NULL,
                y            real NOT NULL,
                w            real NOT NULL,
                h            real NOT NULL,
                score        real NOT NULL,
                landmarks    text NOT NULL,
                label        text,
                time_seconds double precision,
                UNIQUE (image_id, ordinal)
            );

            -- float32 in the machine's byte order, as in catalog.db (Sql.ToBlob), so a load copies them unparsed.
            CREATE TABLE embeddings (
                face_id  bigint PRIMARY KEY REFERENCES faces (id) ON DELETE CASCADE,
                model_id text NOT NULL,
                vector   bytea NOT NULL
            );

            CREATE TABLE thumbnails (
                face_id bigint PRIMARY KEY REFERENCES faces (id) ON DELETE CASCADE,
                jpeg    bytea NOT NULL
            );

            CREATE TABLE photos (
                image_id bigint PRIMARY KEY REFERENCES images (id) ON DELETE CASCADE,
                bytes    bytea NOT NULL
            );
            """),
        new(2, "photos known by their content hash: each stored once however many indexers write", """
            CREATE UNIQUE INDEX images_content_hash ON images (content_hash);
            """),
        new(3, "the queue of faces a shared vector store (garnet) has still to add or remove", """
            -- Written in the transaction of the catalog change, deleted once the vector store holds it
            -- (VectorOutbox): a writer killed between the two leaves its faces here for the next process to apply.
            CREATE TABLE vector_outbox (
                face_id bigint PRIMARY KEY,
                removed boolean NOT NULL
            );
            """),
    ];

    public static int Latest => Steps[^1].Version;

    // Any fixed number: every rvs process takes this advisory lock to migrate or create, so they do it one at a time.
    internal const long MigrationLock = 0x7276_735f_6361_74; // "rvs_cat"

    /// <summary>The version a database is at: 0 when rvs never wrote to it.</summary>
    public static int Version(NpgsqlConnection connection, NpgsqlTransaction? transaction = null)
    {
        // Two statements: PostgreSQL resolves every table a statement names before it runs, even in a branch not taken.
        // pg_tables, not to_regclass: to_regclass answers from this session's cache of the system catalogs, which an
        // advisory lock does not refresh, so a process that waited on another's creation would still see no table.
        using var exists = new NpgsqlCommand(
            "SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'schema_migrations')", connection, transaction);
        if (exists.ExecuteScalar() is not true)
        {
            return 0;
        }

        using var command = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM schema_migrations", connection, transaction);
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Brings the database to <paramref name="target"/> (the latest unless a test asks for an older one) inside
    /// <paramref name="transaction"/>, under the advisory lock, re-reading the version once the lock is held: two
    /// processes opening the same old catalog upgrade it once.
    /// </summary>
    public static void Migrate(NpgsqlConnection connection, NpgsqlTransaction transaction, int? target = null)
    {
        using (var command = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({MigrationLock})", connection, transaction))
        {
            command.ExecuteNonQuery();
        }

        var upTo = target ?? Latest;
        var current = Version(connection, transaction);
        if (current >= upTo)
        {
            return;
        }

        Execute(connection, transaction, """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer PRIMARY KEY,
                adds       text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """);
        foreach (var step in Steps.Where(s => s.Version > current && s.Version <= upTo))
        {
            Execute(connection, transaction, step.Ddl);
            using var record = new NpgsqlCommand("INSERT INTO schema_migrations (version, adds) VALUES (@v, @a)", connection, transaction);
            record.Parameters.AddWithValue("v", step.Version);
            record.Parameters.AddWithValue("a", step.Adds);
            record.ExecuteNonQuery();
        }

        // The settings row a collection reports as its version follows the schema (it is absent until creation).
        using var setting = new NpgsqlCommand("UPDATE settings SET value = @v WHERE key = @k", connection, transaction);
        setting.Parameters.AddWithValue("v", upTo.ToString(CultureInfo.InvariantCulture));
        setting.Parameters.AddWithValue("k", CatalogSchema.KeySchemaVersion);
        setting.ExecuteNonQuery();
    }

    private static void Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        command.ExecuteNonQuery();
    }
}
