using System.Globalization;
using Microsoft.Data.Sqlite;
using Rvs.Pipelines;

namespace Rvs.Catalog;

/// <summary>
/// The steps that bring an older catalog.db up to <see cref="CatalogSchema.Version"/>. A new catalog is created at
/// the latest version from <see cref="CatalogSchema.Ddl"/>, which already holds every step's tables and columns;
/// only catalogs written by an older rvs run these. Each step is the DDL that version added, applied in order.
/// </summary>
internal static class CatalogMigrations
{
    /// <summary>
    /// One catalog version: the number it brings the catalog to, the DDL that adds what it added, and any rows it
    /// rewrites (run after the DDL, in the same transaction).
    /// </summary>
    internal sealed record Step(int Version, string Adds, string Ddl, Action<SqliteConnection, SqliteTransaction>? Rewrite = null);

    // Append new steps at the end, with the next version number, and add the same tables or columns to
    // CatalogSchema.Ddl so that new catalogs have them from the start.
    internal static readonly Step[] Steps =
    [
        new(2, "the person tables", PeopleSchema.Ddl),
        new(5, "model ids that carry the model files' sha256", "", UpgradeModelIds),
        new(6, "videos: what each entry is, and when each face of a video appears", """
            ALTER TABLE images ADD COLUMN media TEXT NOT NULL DEFAULT 'photo' CHECK (media IN ('photo', 'video'));
            ALTER TABLE faces ADD COLUMN time_seconds REAL;
            """),
    ];

    public static int Latest => Steps[^1].Version;

    /// <summary>Whether a catalog at this user_version needs steps applied (0 is a new, empty file).</summary>
    public static bool IsOld(long userVersion) => userVersion is > 0 && userVersion < Latest;

    /// <summary>
    /// Applies every step newer than the catalog's version; a new, empty or current file is left alone. Runs under
    /// an immediate transaction and re-reads the version inside it, so two processes opening the same old catalog
    /// upgrade it once.
    /// </summary>
    public static void UpgradeIfOld(SqliteConnection connection)
    {
        if (!IsOld(UserVersion(connection, null)))
        {
            return;
        }

        using var transaction = connection.BeginTransaction(deferred: false);
        var current = UserVersion(connection, transaction);
        if (!IsOld(current))
        {
            return;
        }

        foreach (var step in Steps.Where(s => s.Version > current))
        {
            if (step.Ddl.Length > 0)
            {
                CatalogSchema.Execute(connection, step.Ddl, transaction);
            }

            step.Rewrite?.Invoke(connection, transaction);
        }

        CatalogSchema.Execute(connection, $"PRAGMA user_version = {Latest}", transaction);
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "UPDATE settings SET value = $v WHERE key = $k";
            command.Parameters.AddWithValue("$v", Latest.ToString(CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue("$k", CatalogSchema.KeySchemaVersion);
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <summary>
    /// Step 5: a collection recorded under an id without the hash gets the id as written now, which names the files
    /// that old id was made with (<see cref="ModelIds.Upgrade"/>). The collection then opens only where this build's
    /// model files have that hash; a collection whose id is unknown is left alone and refused as a model mismatch.
    /// </summary>
    private static void UpgradeModelIds(SqliteConnection connection, SqliteTransaction transaction)
    {
        foreach (var (old, current) in ModelIds.RecipeOnlyIds)
        {
            foreach (var sql in new[]
            {
                $"UPDATE settings SET value = $current WHERE key = '{CatalogSchema.KeyModelId}' AND value = $old",
                "UPDATE embeddings SET model_id = $current WHERE model_id = $old",
            })
            {
                using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = sql;
                command.Parameters.AddWithValue("$current", current);
                command.Parameters.AddWithValue("$old", old);
                command.ExecuteNonQuery();
            }
        }
    }

    public static long UserVersion(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "PRAGMA user_version";
        return (long)command.ExecuteScalar()!;
    }
}
