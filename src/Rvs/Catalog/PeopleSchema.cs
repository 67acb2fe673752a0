using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Rvs.Catalog;

/// <summary>
/// The catalog tables of persons (catalog version 2): who the faces are, what the user named them and what the user
/// corrected. Faces are referred to by their photo's content hash and their ordinal in it, not by face id: a
/// re-index deletes a photo's faces and creates them again under new ids, but the same bytes through the same
/// pipeline give the same faces in the same order, so names and corrections survive it.
/// </summary>
internal static class PeopleSchema
{
    /// <summary>The catalog version that added these tables; catalogs of version 1 are upgraded when opened.</summary>
    public const int AddedInVersion = 2;

    // pinned = 1: the user put the face there (merge, split, move); clustering keeps it. Otherwise the row is the
    // last clustering's placement and a re-cluster may change it. Exclusions are "this face is not this person".
    public const string Ddl = """
        CREATE INDEX IF NOT EXISTS images_content_hash ON images(content_hash);

        CREATE TABLE IF NOT EXISTS persons (
            id         INTEGER PRIMARY KEY AUTOINCREMENT,
            name       TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS persons_name ON persons(name);

        CREATE TABLE IF NOT EXISTS person_faces (
            content_hash TEXT NOT NULL,
            ordinal      INTEGER NOT NULL,
            person_id    INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
            pinned       INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (content_hash, ordinal)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS person_faces_person ON person_faces(person_id);

        CREATE TABLE IF NOT EXISTS person_exclusions (
            content_hash TEXT NOT NULL,
            ordinal      INTEGER NOT NULL,
            person_id    INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
            PRIMARY KEY (content_hash, ordinal, person_id)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS person_exclusions_person ON person_exclusions(person_id);
        """;

    /// <summary>
    /// Brings a version-1 catalog to version 2 (adds the person tables); a new, empty or current file is left alone.
    /// Runs under an immediate transaction and re-reads the version inside it, so two processes opening the same
    /// old catalog upgrade it once.
    /// </summary>
    public static void UpgradeIfOld(SqliteConnection connection)
    {
        if (UserVersion(connection, null) is 0 or >= AddedInVersion)
        {
            return;
        }

        using var transaction = connection.BeginTransaction(deferred: false);
        if (UserVersion(connection, transaction) is not (> 0 and < AddedInVersion))
        {
            return;
        }

        CatalogSchema.Execute(connection, Ddl, transaction);
        CatalogSchema.Execute(connection, $"PRAGMA user_version = {AddedInVersion}", transaction);
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "UPDATE settings SET value = $v WHERE key = $k";
            command.Parameters.AddWithValue("$v", AddedInVersion.ToString(CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue("$k", CatalogSchema.KeySchemaVersion);
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    private static long UserVersion(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "PRAGMA user_version";
        return (long)command.ExecuteScalar()!;
    }
}
