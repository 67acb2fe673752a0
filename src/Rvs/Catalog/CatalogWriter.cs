using System.Data.Common;
using System.Globalization;

namespace Rvs.Catalog;

/// <summary>How a writer settles a photo whose path, or on a shared catalog whose bytes, the catalog already holds.</summary>
internal enum PhotoClash
{
    /// <summary>catalog.db: the photo written last replaces the one at its path (a changed file, or an upload relabelled).</summary>
    Replace,

    /// <summary>
    /// A shared catalog, which several indexers write at once: photos are known by their content hash, the first
    /// copy committed stays and the others are left out, so two indexers over one folder store each photo once. A
    /// path whose file changed still replaces its old photo.
    /// </summary>
    KeepFirst,
}

/// <summary>
/// Every change to a catalog, on catalog.db and on PostgreSQL alike. Each mutation is one transaction that moves the
/// generation on first, and returns the <see cref="ChangeSet"/> the vector index applies once it has committed.
/// Moving the generation first takes its row's lock before anything else, so concurrent writers of a shared catalog
/// commit one after another, in generation order, and never deadlock on each other's photos.
/// </summary>
/// <param name="queueVectors">Queues each change's added and removed faces inside its transaction, for a vector store
/// other processes share (PostgreSql/VectorOutbox.Enqueue); null when the index lives in this process.</param>
internal sealed class CatalogWriter(
    ICatalog database,
    PipelineIdentity pipeline,
    PhotoClash clash = PhotoClash.Replace,
    Action<DbConnection, DbTransaction, IEnumerable<long>, IEnumerable<long>>? queueVectors = null) : ICatalogWriter
{
    public Action? BeforeCommit { get; set; }

    /// <summary>
    /// Writes finished photos in one transaction: each photo's row, faces, embeddings and thumbnails commit together
    /// or not at all, so a killed run never leaves half a photo. A photo already present is settled as
    /// <see cref="PhotoClash"/> says (replaced ones lose their old faces by cascade).
    /// </summary>
    public ChangeSet WriteBatch(IReadOnlyList<ProcessedPhoto> photos) => database.GuardWrite(() =>
    {
        var keepFirst = clash == PhotoClash.KeepFirst;
        var now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        using var connection = database.Connect();
        using var transaction = connection.BeginTransaction();
        var generation = BumpGeneration(connection, transaction);
        var replaced = keepFirst ? "i.path = @path AND i.content_hash <> @hash" : "i.path = @path";
        using var findOld = Sql.Command(connection, transaction, $"SELECT f.id FROM images i JOIN faces f ON f.image_id = i.id WHERE {replaced}");
        using var deleteOld = Sql.Command(connection, transaction, $"DELETE FROM images WHERE id IN (SELECT i.id FROM images i WHERE {replaced})");
        using var insertImage = Sql.Command(connection, transaction, PhotoRows.InsertImage + (keepFirst ? " ON CONFLICT DO NOTHING RETURNING id" : " RETURNING id"));
        using var rows = new PhotoRows(connection, transaction, pipeline, photos);
        foreach (var photo in photos)
        {
            foreach (var command in new[] { findOld, deleteOld })
            {
                Sql.Set(command, "@path", photo.Path);
                if (keepFirst)
                {
                    Sql.Set(command, "@hash", photo.ContentHash);
                }
            }

            rows.Removed(Ids(findOld));
            deleteOld.ExecuteNonQuery();
            // A shared catalog stores the time as timestamptz; catalog.db keeps ISO 8601 text.
            PhotoRows.BindImage(insertImage, photo, keepFirst ? DateTimeOffset.UtcNow : now);
            // Null: another writer committed these bytes first (only with KeepFirst), so this copy is left out.
            if (insertImage.ExecuteScalar() is { } imageId and not DBNull)
            {
                rows.WriteFaces(photo, Convert.ToInt64(imageId, CultureInfo.InvariantCulture));
            }
        }

        var change = rows.Change(generation);
        queueVectors?.Invoke(connection, transaction, change.AddedFaceIds, change.RemovedFaceIds);
        BeforeCommit?.Invoke();
        transaction.Commit();
        return change;
    });

    /// <summary>
    /// Removes photos (with their faces) by path. A path names one photo as shown in results, or a folder or archive
    /// whose photos all go; relative file-system paths are resolved against the current directory. Null when
    /// nothing matched (the catalog is left as it was).
    /// </summary>
    public (RemovalSummary Removed, ChangeSet? Change) Remove(IEnumerable<string> paths) => database.GuardWrite(() =>
    {
        const string Match = "path = @p OR substr(path, 1, length(@p) + 1) = @p || '/' OR substr(path, 1, length(@p) + 2) = @p || '!/'";
        var faceIds = new List<long>();
        var images = 0;
        using var connection = database.Connect();
        using var transaction = connection.BeginTransaction();
        var generation = BumpGeneration(connection, transaction);
        foreach (var candidate in paths.SelectMany(PathCandidates))
        {
            faceIds.AddRange(Ids(connection, transaction, $"SELECT f.id FROM faces f JOIN images i ON i.id = f.image_id WHERE i.id IN (SELECT id FROM images WHERE {Match})", "@p", candidate));
            using var delete = Sql.Command(connection, transaction, $"DELETE FROM images WHERE {Match}");
            Sql.Set(delete, "@p", candidate);
            images += delete.ExecuteNonQuery();
        }

        return Commit(connection, transaction, generation, images, faceIds);
    });

    /// <summary>Removes one photo and its faces by id; the photo's file, if it has one, is left alone.</summary>
    public (RemovalSummary Removed, ChangeSet? Change) RemoveImage(long imageId) => database.GuardWrite(() =>
    {
        using var connection = database.Connect();
        using var transaction = connection.BeginTransaction();
        var generation = BumpGeneration(connection, transaction);
        var faceIds = Ids(connection, transaction, "SELECT id FROM faces WHERE image_id = @id", "@id", imageId);
        using var delete = Sql.Command(connection, transaction, "DELETE FROM images WHERE id = @id", ("@id", imageId));
        return Commit(connection, transaction, generation, delete.ExecuteNonQuery(), faceIds);
    });

    /// <summary>
    /// Puts each label on the faces <paramref name="chosen"/> names and takes it off the other faces of the label's
    /// photos, in one transaction.
    /// </summary>
    public ChangeSet SetFaceLabels(IReadOnlyDictionary<string, IReadOnlyCollection<long>> chosen) => database.GuardWrite(() =>
    {
        using var connection = database.Connect();
        using var transaction = connection.BeginTransaction();
        var generation = BumpGeneration(connection, transaction);
        using var clear = Sql.Command(connection, transaction, "UPDATE faces SET label = NULL WHERE image_id IN (SELECT id FROM images WHERE label = @label)");
        using var set = Sql.Command(connection, transaction, "UPDATE faces SET label = @label WHERE id = @face");
        foreach (var (label, faces) in chosen)
        {
            Sql.Set(clear, "@label", label);
            clear.ExecuteNonQuery();
            foreach (var face in faces)
            {
                Sql.Set(set, "@label", label);
                Sql.Set(set, "@face", face);
                set.ExecuteNonQuery();
            }
        }

        transaction.Commit();
        return ChangeSet.Removal(generation, []);
    });

    /// <summary>Moves the generation on inside a writing transaction and returns the new value.</summary>
    private static long BumpGeneration(DbConnection connection, DbTransaction transaction) =>
        Sql.Scalar(connection, transaction,
            $"UPDATE settings SET value = CAST(value AS BIGINT) + 1 WHERE key = '{CatalogSchema.KeyGeneration}' RETURNING value");

    // A removal that matched nothing is rolled back, generation and all: the catalog is left as it was.
    private (RemovalSummary, ChangeSet?) Commit(DbConnection connection, DbTransaction transaction, long generation, int images, List<long> faceIds)
    {
        if (images == 0)
        {
            return (new RemovalSummary(0, 0), null);
        }

        queueVectors?.Invoke(connection, transaction, [], faceIds);
        transaction.Commit();
        return (new RemovalSummary(images, faceIds.Count), ChangeSet.Removal(generation, faceIds));
    }

    private static List<long> Ids(DbConnection connection, DbTransaction transaction, string sql, string name, object value)
    {
        using var select = Sql.Command(connection, transaction, sql, (name, value));
        return Ids(select);
    }

    /// <summary>The ids a query of one id column returns.</summary>
    private static List<long> Ids(DbCommand select)
    {
        using var reader = select.ExecuteReader();
        var ids = new List<long>();
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    private static IEnumerable<string> PathCandidates(string given)
    {
        var trimmed = given.TrimEnd('/', '\\');
        if (trimmed.Length == 0)
        {
            trimmed = given;
        }

        yield return trimmed;
        var full = Path.GetFullPath(trimmed).Replace('\\', '/');
        if (full != trimmed)
        {
            yield return full;
        }
    }
}
