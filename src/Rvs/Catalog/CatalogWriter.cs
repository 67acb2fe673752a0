using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Rvs.Catalog;

/// <summary>
/// Every change to catalog.db. Each mutation is one transaction that moves the generation on, and returns the
/// <see cref="ChangeSet"/> the vector index applies once the transaction has committed.
/// </summary>
internal sealed class CatalogWriter(CatalogDatabase database, PipelineIdentity pipeline) : ICatalogWriter
{
    public Action? BeforeCommit { get; set; }

    /// <summary>
    /// Writes finished photos in one transaction: each photo's row, faces, embeddings and thumbnails commit together
    /// or not at all, so a killed run never leaves half a photo. A photo already present under the same path is
    /// replaced (its old faces go by cascade).
    /// </summary>
    public ChangeSet WriteBatch(IReadOnlyList<ProcessedPhoto> photos)
    {
        var removedFaces = new List<long>();
        var addedFaces = new List<long>();
        var addedAttributes = new List<string?>();
        var flat = new float[photos.Sum(p => p.Faces.Count) * pipeline.Dimensions];
        var now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        using var connection = database.Connect();
        using var transaction = connection.BeginTransaction();
        using var findOld = Sql.Command(connection, transaction, "SELECT f.id FROM images i JOIN faces f ON f.image_id = i.id WHERE i.path = $path");
        using var deleteOld = Sql.Command(connection, transaction, "DELETE FROM images WHERE path = $path");
        using var insertImage = Sql.Command(connection, transaction, """
            INSERT INTO images (path, source, entry, from_archive, content_hash, size, status, error, label, width, height, indexed_at, media)
            VALUES ($path, $source, $entry, $archive, $hash, $size, $status, $error, $label, $width, $height, $at, $media)
            RETURNING id
            """);
        using var insertFace = Sql.Command(connection, transaction, """
            INSERT INTO faces (image_id, ordinal, x, y, w, h, score, landmarks, label, time_seconds)
            VALUES ($image, $ordinal, $x, $y, $w, $h, $score, $landmarks, $label, $time)
            RETURNING id
            """);
        using var insertEmbedding = Sql.Command(connection, transaction, "INSERT INTO embeddings (face_id, model_id, vector) VALUES ($face, $model, $vector)");
        using var insertThumbnail = Sql.Command(connection, transaction, "INSERT INTO thumbnails (face_id, jpeg) VALUES ($face, $jpeg)");
        using var insertPhoto = Sql.Command(connection, transaction, "INSERT INTO photos (image_id, bytes) VALUES ($image, $bytes)");

        foreach (var photo in photos)
        {
            Sql.Set(findOld, "$path", photo.Path);
            using (var reader = findOld.ExecuteReader())
            {
                while (reader.Read())
                {
                    removedFaces.Add(reader.GetInt64(0));
                }
            }

            Sql.Set(deleteOld, "$path", photo.Path);
            deleteOld.ExecuteNonQuery();

            Sql.Set(insertImage, "$path", photo.Path);
            Sql.Set(insertImage, "$source", photo.Source);
            Sql.Set(insertImage, "$entry", photo.Entry);
            Sql.Set(insertImage, "$archive", photo.FromArchive ? 1 : 0);
            Sql.Set(insertImage, "$hash", photo.ContentHash);
            Sql.Set(insertImage, "$size", photo.Size);
            Sql.Set(insertImage, "$status", CatalogSchema.StatusText(photo.Status));
            Sql.Set(insertImage, "$error", photo.Error);
            Sql.Set(insertImage, "$label", photo.Label);
            Sql.Set(insertImage, "$width", photo.Width);
            Sql.Set(insertImage, "$height", photo.Height);
            Sql.Set(insertImage, "$at", now);
            Sql.Set(insertImage, "$media", photo.IsVideo ? "video" : "photo");
            var imageId = Convert.ToInt64(insertImage.ExecuteScalar(), CultureInfo.InvariantCulture);

            for (var ordinal = 0; ordinal < photo.Faces.Count; ordinal++)
            {
                var face = photo.Faces[ordinal];
                var box = face.Face.Box;
                Sql.Set(insertFace, "$image", imageId);
                Sql.Set(insertFace, "$ordinal", ordinal);
                Sql.Set(insertFace, "$x", box.X);
                Sql.Set(insertFace, "$y", box.Y);
                Sql.Set(insertFace, "$w", box.Width);
                Sql.Set(insertFace, "$h", box.Height);
                Sql.Set(insertFace, "$score", face.Face.Score);
                Sql.Set(insertFace, "$landmarks", Sql.LandmarksToJson(face.Face.Landmarks));
                // A photo's label names one person: only a single-face photo's face is known to be them here; the
                // faces of group photos are labelled once the label's other faces can say which (FaceLabeller).
                var faceLabel = photo.Faces.Count == 1 ? photo.Label : null;
                Sql.Set(insertFace, "$label", faceLabel);
                Sql.Set(insertFace, "$time", face.TimeSeconds);
                var faceId = Convert.ToInt64(insertFace.ExecuteScalar(), CultureInfo.InvariantCulture);

                Sql.Set(insertEmbedding, "$face", faceId);
                Sql.Set(insertEmbedding, "$model", pipeline.ModelId);
                Sql.Set(insertEmbedding, "$vector", Sql.ToBlob(face.Embedding));
                insertEmbedding.ExecuteNonQuery();

                if (face.Thumbnail is { } jpeg)
                {
                    Sql.Set(insertThumbnail, "$face", faceId);
                    Sql.Set(insertThumbnail, "$jpeg", jpeg);
                    insertThumbnail.ExecuteNonQuery();
                }

                face.Embedding.CopyTo(flat, addedFaces.Count * pipeline.Dimensions);
                addedFaces.Add(faceId);
                addedAttributes.Add(FaceAttributes.ToJson(imageId, photo.Path, faceLabel, box));
            }

            if (photo.PhotoBytes is { } bytes)
            {
                Sql.Set(insertPhoto, "$image", imageId);
                Sql.Set(insertPhoto, "$bytes", bytes);
                insertPhoto.ExecuteNonQuery();
            }
        }

        var generation = CatalogDatabase.BumpGeneration(connection, transaction);
        BeforeCommit?.Invoke();
        transaction.Commit();
        return new ChangeSet(generation, removedFaces, addedFaces, flat, addedAttributes);
    }

    /// <summary>
    /// Removes photos (with their faces) by path. A path names one photo as shown in results, or a folder or archive
    /// whose photos all go; relative file-system paths are resolved against the current directory. Null when
    /// nothing matched (the catalog is left as it was).
    /// </summary>
    public (RemovalSummary Removed, ChangeSet? Change) Remove(IEnumerable<string> paths)
    {
        const string Match = "path = $p OR substr(path, 1, length($p) + 1) = $p || '/' OR substr(path, 1, length($p) + 2) = $p || '!/'";
        var faceIds = new List<long>();
        var images = 0;
        using var connection = database.Connect();
        using var transaction = connection.BeginTransaction();
        foreach (var candidate in paths.SelectMany(PathCandidates))
        {
            faceIds.AddRange(Ids(connection, transaction, $"SELECT f.id FROM faces f JOIN images i ON i.id = f.image_id WHERE i.id IN (SELECT id FROM images WHERE {Match})", "$p", candidate));
            using var delete = Sql.Command(connection, transaction, $"DELETE FROM images WHERE {Match}");
            Sql.Set(delete, "$p", candidate);
            images += delete.ExecuteNonQuery();
        }

        return Commit(connection, transaction, images, faceIds);
    }

    /// <summary>Removes one photo and its faces by id; the photo's file, if it has one, is left alone.</summary>
    public (RemovalSummary Removed, ChangeSet? Change) RemoveImage(long imageId)
    {
        using var connection = database.Connect();
        using var transaction = connection.BeginTransaction();
        var faceIds = Ids(connection, transaction, "SELECT id FROM faces WHERE image_id = $id", "$id", imageId);
        using var delete = Sql.Command(connection, transaction, "DELETE FROM images WHERE id = $id");
        Sql.Set(delete, "$id", imageId);
        return Commit(connection, transaction, delete.ExecuteNonQuery(), faceIds);
    }

    /// <summary>
    /// Puts each label on the faces <paramref name="chosen"/> names and takes it off the other faces of the label's
    /// photos, in one transaction.
    /// </summary>
    public ChangeSet SetFaceLabels(IReadOnlyDictionary<string, IReadOnlyCollection<long>> chosen)
    {
        using var connection = database.Connect();
        using var transaction = connection.BeginTransaction();
        using var clear = Sql.Command(connection, transaction, "UPDATE faces SET label = NULL WHERE image_id IN (SELECT id FROM images WHERE label = $label)");
        using var set = Sql.Command(connection, transaction, "UPDATE faces SET label = $label WHERE id = $face");
        foreach (var (label, faces) in chosen)
        {
            Sql.Set(clear, "$label", label);
            clear.ExecuteNonQuery();
            foreach (var face in faces)
            {
                Sql.Set(set, "$label", label);
                Sql.Set(set, "$face", face);
                set.ExecuteNonQuery();
            }
        }

        var generation = CatalogDatabase.BumpGeneration(connection, transaction);
        transaction.Commit();
        return ChangeSet.Removal(generation, []);
    }

    private static (RemovalSummary, ChangeSet?) Commit(SqliteConnection connection, SqliteTransaction transaction, int images, List<long> faceIds)
    {
        if (images == 0)
        {
            return (new RemovalSummary(0, 0), null);
        }

        var generation = CatalogDatabase.BumpGeneration(connection, transaction);
        transaction.Commit();
        return (new RemovalSummary(images, faceIds.Count), ChangeSet.Removal(generation, faceIds));
    }

    private static List<long> Ids(SqliteConnection connection, SqliteTransaction transaction, string sql, string name, object value)
    {
        using var select = Sql.Command(connection, transaction, sql);
        Sql.Set(select, name, value);
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
