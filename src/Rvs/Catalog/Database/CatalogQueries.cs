using System.Data.Common;
using System.Globalization;

namespace Rvs.Catalog;

/// <summary>
/// The queries of the settings table and the face counts, and what its rows mean, the same on catalog.db and on
/// PostgreSQL: both store the settings as text key/value rows under the keys of <see cref="CatalogSchema"/>.
/// </summary>
internal static class CatalogQueries
{
    public static long CountFaces(DbConnection connection, DbTransaction? transaction) =>
        Sql.Scalar(connection, transaction, "SELECT count(*) FROM embeddings");

    public static long MaxFaceId(DbConnection connection, DbTransaction? transaction) =>
        Sql.Scalar(connection, transaction, "SELECT coalesce(max(face_id), 0) FROM embeddings");

    public static long ReadGeneration(DbConnection connection, DbTransaction? transaction) =>
        Sql.Scalar(connection, transaction, $"SELECT value FROM settings WHERE key = '{CatalogSchema.KeyGeneration}'");

    public static Dictionary<string, string> ReadAll(DbConnection connection, DbTransaction? transaction)
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

    /// <summary>The collection's settings from its rows; <paramref name="location"/> names it in the errors.</summary>
    public static CollectionSettings Settings(IReadOnlyDictionary<string, string> all, string location)
    {
        string Required(string key) => all.TryGetValue(key, out var value)
            ? value
            : throw new CollectionException($"The collection at '{location}' lacks the '{key}' setting; the catalog is damaged.");

        var version = int.Parse(Required(CatalogSchema.KeySchemaVersion), CultureInfo.InvariantCulture);
        var parameters = all.Where(p => p.Key.StartsWith(CatalogSchema.KeyIndexParameterPrefix, StringComparison.Ordinal))
            .ToDictionary(p => p.Key[CatalogSchema.KeyIndexParameterPrefix.Length..], p => p.Value, StringComparer.Ordinal);
        var pipeline = new PipelineIdentity(Required(CatalogSchema.KeyPipeline), Required(CatalogSchema.KeyModelId),
            int.Parse(Required(CatalogSchema.KeyDimensions), CultureInfo.InvariantCulture));
        return new CollectionSettings(version, pipeline, Required(CatalogSchema.KeyMetric),
            all.GetValueOrDefault(CatalogSchema.KeyIndexKind) ?? "auto", parameters);
    }

    /// <summary>The saved index's stamp; one that does not parse is no stamp (it only vouches for a cache, rebuilt).</summary>
    public static SavedIndexStamp? Stamp(IReadOnlyDictionary<string, string> all) =>
        all.TryGetValue(CatalogSchema.KeySavedIndexGeneration, out var g) && long.TryParse(g, CultureInfo.InvariantCulture, out var savedGeneration)
        && all.TryGetValue(CatalogSchema.KeySavedIndexCount, out var c) && long.TryParse(c, CultureInfo.InvariantCulture, out var savedCount)
        && all.TryGetValue(CatalogSchema.KeySavedIndexKind, out var k)
            ? new SavedIndexStamp(savedGeneration, savedCount, k, all.GetValueOrDefault(CatalogSchema.KeySavedIndexChecksum))
            : null;

    /// <summary>The rows a new collection starts with: its pipeline, metric and generation 0 (the back end is written beside).</summary>
    public static IEnumerable<(string Key, string Value)> Initial(PipelineIdentity pipeline, int schemaVersion) =>
    [
        (CatalogSchema.KeySchemaVersion, schemaVersion.ToString(CultureInfo.InvariantCulture)),
        (CatalogSchema.KeyPipeline, pipeline.Name),
        (CatalogSchema.KeyModelId, pipeline.ModelId),
        (CatalogSchema.KeyMetric, "l2"),
        (CatalogSchema.KeyDimensions, pipeline.Dimensions.ToString(CultureInfo.InvariantCulture)),
        (CatalogSchema.KeyGeneration, "0"),
    ];

    /// <summary>The rows that record a back end: its kind, and its settings under the index. prefix (the old ones removed first).</summary>
    public static void WriteBackEnd(DbConnection connection, DbTransaction transaction, string kind, IReadOnlyDictionary<string, string> settings)
    {
        WriteSetting(connection, transaction, CatalogSchema.KeyIndexKind, kind);
        using (var clear = Sql.Command(connection, transaction, "DELETE FROM settings WHERE substr(key, 1, length(@p)) = @p",
            ("@p", CatalogSchema.KeyIndexParameterPrefix)))
        {
            clear.ExecuteNonQuery();
        }

        foreach (var (key, value) in settings)
        {
            WriteSetting(connection, transaction, CatalogSchema.KeyIndexParameterPrefix + key, value);
        }
    }

    public static void WriteStamp(DbConnection connection, DbTransaction transaction, SavedIndexStamp stamp)
    {
        WriteSetting(connection, transaction, CatalogSchema.KeySavedIndexGeneration, stamp.Generation.ToString(CultureInfo.InvariantCulture));
        WriteSetting(connection, transaction, CatalogSchema.KeySavedIndexCount, stamp.Count.ToString(CultureInfo.InvariantCulture));
        WriteSetting(connection, transaction, CatalogSchema.KeySavedIndexKind, stamp.Kind);
        WriteSetting(connection, transaction, CatalogSchema.KeySavedIndexChecksum, stamp.Checksum ?? "");
    }

    public static void WriteSetting(DbConnection connection, DbTransaction transaction, string key, string value)
    {
        using var command = Sql.Command(connection, transaction,
            "INSERT INTO settings (key, value) VALUES (@k, @v) ON CONFLICT (key) DO UPDATE SET value = excluded.value", ("@k", key), ("@v", value));
        command.ExecuteNonQuery();
    }
}
