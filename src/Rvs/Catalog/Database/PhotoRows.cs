using System.Data.Common;

namespace Rvs.Catalog;

/// <summary>
/// Writes the rows of finished photos inside a writer's transaction, the same on catalog.db and on PostgreSQL: each
/// photo's image row (the writer says how a clash is settled), then its faces, embeddings and thumbnails and, for an
/// archive photo, its bytes. Collects what the vector index must follow as the <see cref="ChangeSet"/>.
/// </summary>
internal sealed class PhotoRows : IDisposable
{
    // The image row's columns and their parameters; a writer appends its own clause (RETURNING id, ON CONFLICT …).
    public const string InsertImage = """
        INSERT INTO images (path, source, entry, from_archive, content_hash, size, status, error, label, width, height, indexed_at, media)
        VALUES (@path, @source, @entry, @archive, @hash, @size, @status, @error, @label, @width, @height, @at, @media)
        """;

    private readonly PipelineIdentity _pipeline;
    private readonly DbCommand _insertFace;
    private readonly DbCommand _insertEmbedding;
    private readonly DbCommand _insertThumbnail;
    private readonly DbCommand _insertPhoto;
    private readonly List<long> _removed = [];
    private readonly List<long> _added = [];
    private readonly List<string?> _attributes = [];
    private readonly float[] _vectors;

    public PhotoRows(DbConnection connection, DbTransaction transaction, PipelineIdentity pipeline, IReadOnlyList<ProcessedPhoto> photos)
    {
        _pipeline = pipeline;
        _vectors = new float[photos.Sum(p => p.Faces.Count) * pipeline.Dimensions];
        _insertFace = Sql.Command(connection, transaction, """
            INSERT INTO faces (image_id, ordinal, x, y, w, h, score, landmarks, label, time_seconds)
            VALUES (@image, @ordinal, @x, @y, @w, @h, @score, @landmarks, @label, @time)
            RETURNING id
            """);
        _insertEmbedding = Sql.Command(connection, transaction, "INSERT INTO embeddings (face_id, model_id, vector) VALUES (@face, @model, @vector)");
        _insertThumbnail = Sql.Command(connection, transaction, "INSERT INTO thumbnails (face_id, jpeg) VALUES (@face, @jpeg)");
        _insertPhoto = Sql.Command(connection, transaction, "INSERT INTO photos (image_id, bytes) VALUES (@image, @bytes)");
    }

    /// <summary>Sets the parameters of <see cref="InsertImage"/> for one photo, written at <paramref name="indexedAt"/>.</summary>
    public static void BindImage(DbCommand command, ProcessedPhoto photo, object indexedAt)
    {
        Sql.Set(command, "@path", photo.Path);
        Sql.Set(command, "@source", photo.Source);
        Sql.Set(command, "@entry", photo.Entry);
        Sql.Set(command, "@archive", photo.FromArchive);
        Sql.Set(command, "@hash", photo.ContentHash);
        Sql.Set(command, "@size", photo.Size);
        Sql.Set(command, "@status", CatalogSchema.StatusText(photo.Status));
        Sql.Set(command, "@error", photo.Error);
        Sql.Set(command, "@label", photo.Label);
        Sql.Set(command, "@width", photo.Width);
        Sql.Set(command, "@height", photo.Height);
        Sql.Set(command, "@at", indexedAt);
        Sql.Set(command, "@media", photo.IsVideo ? "video" : "photo");
    }

    /// <summary>Notes faces the writer deleted (a photo replaced by a changed file), for the index to drop.</summary>
    public void Removed(IEnumerable<long> faceIds) => _removed.AddRange(faceIds);

    /// <summary>Writes the faces, embeddings, thumbnails and stored bytes of a photo whose image row is <paramref name="imageId"/>.</summary>
    public void WriteFaces(ProcessedPhoto photo, long imageId)
    {
        for (var ordinal = 0; ordinal < photo.Faces.Count; ordinal++)
        {
            var face = photo.Faces[ordinal];
            var box = face.Face.Box;
            Sql.Set(_insertFace, "@image", imageId);
            Sql.Set(_insertFace, "@ordinal", ordinal);
            Sql.Set(_insertFace, "@x", box.X);
            Sql.Set(_insertFace, "@y", box.Y);
            Sql.Set(_insertFace, "@w", box.Width);
            Sql.Set(_insertFace, "@h", box.Height);
            Sql.Set(_insertFace, "@score", face.Face.Score);
            Sql.Set(_insertFace, "@landmarks", Sql.LandmarksToJson(face.Face.Landmarks));
            // A photo's label names one person: only a single-face photo's face is known to be them here; the
            // faces of group photos are labelled once the label's other faces can say which (FaceLabeller).
            var faceLabel = photo.Faces.Count == 1 ? photo.Label : null;
            Sql.Set(_insertFace, "@label", faceLabel);
            Sql.Set(_insertFace, "@time", face.TimeSeconds);
            var faceId = Convert.ToInt64(_insertFace.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);

            Sql.Set(_insertEmbedding, "@face", faceId);
            Sql.Set(_insertEmbedding, "@model", _pipeline.ModelId);
            Sql.Set(_insertEmbedding, "@vector", Sql.ToBlob(face.Embedding));
            _insertEmbedding.ExecuteNonQuery();

            if (face.Thumbnail is { } jpeg)
            {
                Sql.Set(_insertThumbnail, "@face", faceId);
                Sql.Set(_insertThumbnail, "@jpeg", jpeg);
                _insertThumbnail.ExecuteNonQuery();
            }

            face.Embedding.CopyTo(_vectors, _added.Count * _pipeline.Dimensions);
            _added.Add(faceId);
            _attributes.Add(FaceAttributes.ToJson(imageId, photo.Path, faceLabel, box));
        }

        if (photo.PhotoBytes is { } bytes)
        {
            Sql.Set(_insertPhoto, "@image", imageId);
            Sql.Set(_insertPhoto, "@bytes", bytes);
            _insertPhoto.ExecuteNonQuery();
        }
    }

    /// <summary>What the index must do once the transaction that wrote these rows, at <paramref name="generation"/>, commits.</summary>
    public ChangeSet Change(long generation) =>
        new(generation, _removed, _added, _added.Count * _pipeline.Dimensions == _vectors.Length ? _vectors : _vectors[..(_added.Count * _pipeline.Dimensions)], _attributes);

    public void Dispose()
    {
        _insertFace.Dispose();
        _insertEmbedding.Dispose();
        _insertThumbnail.Dispose();
        _insertPhoto.Dispose();
    }
}
