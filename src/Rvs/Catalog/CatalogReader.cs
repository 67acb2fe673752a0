using System.Globalization;
using System.Runtime.InteropServices;
using Rvs.Index;

namespace Rvs.Catalog;

/// <summary>
/// Every read of a catalog: faces, photos, thumbnails, counts, and the names and places of vector hits. The queries
/// are the same on catalog.db and on PostgreSQL (the two schemas have the same tables and columns), so this one
/// reader serves both; only the connection and the snapshot transaction come from the <see cref="ICatalog"/>.
/// </summary>
internal sealed class CatalogReader(ICatalog database)
{
    public float[]? GetEmbedding(long faceId) => database.Guard(() =>
    {
        using var connection = database.Connect();
        using var command = Sql.Command(connection, null, "SELECT vector FROM embeddings WHERE face_id = @id");
        Sql.Set(command, "@id", faceId);
        return command.ExecuteScalar() is byte[] blob ? Sql.FromBlob(blob) : null;
    });

    public FaceRecord? GetFace(long faceId) => QueryFaces("f.id = @id", faceId).FirstOrDefault();

    public IReadOnlyList<FaceRecord> GetFaces(long imageId) => QueryFaces("f.image_id = @id", imageId);

    public ImageRecord? GetImage(long imageId) => QueryImages("i.id = @key", imageId).FirstOrDefault();

    public ImageRecord? FindImage(string path) => QueryImages("i.path = @key", path).FirstOrDefault();

    public IReadOnlyList<ImageRecord> FindImagesWithContent(string contentHash) => QueryImages("i.content_hash = @key", contentHash);

    public IReadOnlyList<ImageRecord> GetImages(ImageStatus status) => QueryImages("i.status = @key", CatalogSchema.StatusText(status));

    private List<FaceRecord> QueryFaces(string where, long id) => database.Guard(() =>
    {
        using var connection = database.Connect();
        using var command = Sql.Command(connection, null, $"""
            SELECT f.id, f.image_id, f.ordinal, i.path, f.label, f.x, f.y, f.w, f.h, f.score, f.landmarks
            FROM faces f JOIN images i ON i.id = f.image_id
            WHERE {where} ORDER BY f.image_id, f.ordinal
            """);
        Sql.Set(command, "@id", id);
        using var reader = command.ExecuteReader();
        var faces = new List<FaceRecord>();
        while (reader.Read())
        {
            faces.Add(new FaceRecord(reader.GetInt64(0), reader.GetInt64(1), Sql.Int(reader, 2), reader.GetString(3),
                Sql.NullableString(reader, 4), Sql.Box(reader, 5), reader.GetFloat(9), Sql.LandmarksFromJson(reader.GetString(10))));
        }

        return faces;
    });

    private List<ImageRecord> QueryImages(string where, object key) => database.Guard(() =>
    {
        using var connection = database.Connect();
        using var command = Sql.Command(connection, null, $"""
            SELECT i.id, i.path, i.source, i.entry, i.from_archive, i.content_hash, i.size, i.status, i.error, i.label,
                   i.width, i.height, i.indexed_at, (SELECT count(*) FROM faces f WHERE f.image_id = i.id), i.media
            FROM images i WHERE {where} ORDER BY i.path
            """);
        Sql.Set(command, "@key", key);
        using var reader = command.ExecuteReader();
        var images = new List<ImageRecord>();
        while (reader.Read())
        {
            images.Add(new ImageRecord(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                Sql.Flag(reader, 4), reader.GetString(5), reader.GetInt64(6), CatalogSchema.ParseStatus(reader.GetString(7)),
                Sql.NullableString(reader, 8), Sql.NullableString(reader, 9),
                reader.IsDBNull(10) ? null : Sql.Int(reader, 10), reader.IsDBNull(11) ? null : Sql.Int(reader, 11),
                Sql.Time(reader, 12), Sql.Int(reader, 13), reader.GetString(14) == "video"));
        }

        return images;
    });

    public byte[]? GetThumbnail(long faceId) => Blob("SELECT jpeg FROM thumbnails WHERE face_id = @id", faceId);

    public byte[]? GetStoredPhoto(long imageId) => Blob("SELECT bytes FROM photos WHERE image_id = @id", imageId);

    public Dictionary<string, string> ContentHashes(string source) => database.Guard(() =>
    {
        using var connection = database.Connect();
        using var command = Sql.Command(connection, null, "SELECT path, content_hash FROM images WHERE source = @source");
        Sql.Set(command, "@source", source);
        using var reader = command.ExecuteReader();
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            hashes[reader.GetString(0)] = reader.GetString(1);
        }

        return hashes;
    });

    public (long Images, long Faces, long People, Dictionary<ImageStatus, long> ByStatus) Counts() => database.Guard(() =>
    {
        using var connection = database.Connect();
        var byStatus = Enum.GetValues<ImageStatus>().ToDictionary(s => s, _ => 0L);
        using (var command = Sql.Command(connection, null, "SELECT status, count(*) FROM images GROUP BY status"))
        {
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                byStatus[CatalogSchema.ParseStatus(reader.GetString(0))] = reader.GetInt64(1);
            }
        }

        return (Sql.Scalar(connection, null, "SELECT count(*) FROM images"), Sql.Scalar(connection, null, "SELECT count(*) FROM faces"),
            Sql.Scalar(connection, null, "SELECT count(DISTINCT label) FROM images WHERE label IS NOT NULL"), byStatus);
    });

    public long CountLowQualityFaces() => database.Guard(() =>
    {
        using var connection = database.Connect();
        return Sql.Scalar(connection, null, $"SELECT count(*) FROM faces WHERE {Pipelines.FaceQuality.IsLowSql}");
    });

    public List<SearchHit> ToSearchHits(IReadOnlyList<VectorHit> hits, float? maxDistance) => database.Guard(() =>
    {
        var wanted = hits.Where(h => maxDistance is null || h.Distance <= maxDistance).ToList();
        var faces = new Dictionary<long, (long ImageId, string Path, string? Label, System.Drawing.RectangleF Box, float Score, double? Time)>();
        using var connection = wanted.Count == 0 ? null : database.Connect();
        // Chunks keep a large k under SQLite's limit on parameters per statement.
        foreach (var chunk in wanted.Chunk(500))
        {
            using var command = connection!.CreateCommand();
            var names = new string[chunk.Length];
            for (var i = 0; i < chunk.Length; i++)
            {
                names[i] = "@f" + i.ToString(CultureInfo.InvariantCulture);
                Sql.Set(command, names[i], chunk[i].Id);
            }

            command.CommandText = $"""
                SELECT f.id, f.image_id, i.path, f.label, f.x, f.y, f.w, f.h, f.score, f.time_seconds
                FROM faces f JOIN images i ON i.id = f.image_id
                WHERE f.id IN ({string.Join(',', names)})
                """;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                faces[reader.GetInt64(0)] = (reader.GetInt64(1), reader.GetString(2), Sql.NullableString(reader, 3), Sql.Box(reader, 4),
                    reader.GetFloat(8), reader.IsDBNull(9) ? null : reader.GetDouble(9));
            }
        }

        var result = new List<SearchHit>();
        foreach (var hit in wanted)
        {
            if (faces.TryGetValue(hit.Id, out var face))
            {
                result.Add(new SearchHit(result.Count + 1, hit.Id, face.ImageId, face.Path, face.Label, hit.Distance, hit.Similarity, face.Box, face.Time)
                {
                    LowQuality = Pipelines.FaceQuality.IsLow(face.Box, face.Score),
                });
            }
        }

        return result;
    });

    public CatalogSnapshot LoadSince(IVectorIndex index, int dimensions, long afterFaceId = 0) => database.Guard(() =>
    {
        using var connection = database.Connect();
        using var transaction = database.BeginSnapshot(connection);
        var generation = CatalogQueries.ReadGeneration(connection, transaction);
        var count = CatalogQueries.CountFaces(connection, transaction);
        var maxFaceId = CatalogQueries.MaxFaceId(connection, transaction);
        const int Chunk = 4096;
        var ids = new List<long>(Chunk);
        var attributes = new List<string?>(Chunk);
        var vectors = new float[Chunk * dimensions];
        using var command = Sql.Command(connection, transaction, """
            SELECT e.face_id, e.vector, f.image_id, i.path, i.label, f.x, f.y, f.w, f.h
            FROM embeddings e JOIN faces f ON f.id = e.face_id JOIN images i ON i.id = f.image_id
            WHERE e.face_id > @after
            ORDER BY e.face_id
            """);
        Sql.Set(command, "@after", afterFaceId);
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var blob = (byte[])reader.GetValue(1);
                if (blob.Length != dimensions * sizeof(float))
                {
                    throw database.Damaged(
                        $"face {reader.GetInt64(0)} has a {blob.Length / sizeof(float)}-dimensional embedding in a {dimensions}-dimensional collection");
                }

                MemoryMarshal.Cast<byte, float>(blob).CopyTo(vectors.AsSpan(ids.Count * dimensions, dimensions));
                ids.Add(reader.GetInt64(0));
                attributes.Add(FaceAttributes.ToJson(reader.GetInt64(2), reader.GetString(3), Sql.NullableString(reader, 4), Sql.Box(reader, 5)));
                if (ids.Count == Chunk)
                {
                    index.Add(ids, vectors, attributes);
                    ids.Clear();
                    attributes.Clear();
                }
            }
        }

        if (ids.Count > 0)
        {
            index.Add(ids, vectors.AsSpan(0, ids.Count * dimensions), attributes);
        }

        transaction.Commit();
        return new CatalogSnapshot(generation, count, maxFaceId);
    });

    public Dictionary<string, List<FaceLabeller.Candidate>> LabelCandidates() => database.Guard(() =>
    {
        using var connection = database.Connect();
        using var command = Sql.Command(connection, null, """
            SELECT i.label, i.id, f.id, f.w * f.h, e.vector
            FROM images i JOIN faces f ON f.image_id = i.id JOIN embeddings e ON e.face_id = f.id
            WHERE i.label IS NOT NULL
            """);
        using var reader = command.ExecuteReader();
        var byLabel = new Dictionary<string, List<FaceLabeller.Candidate>>(StringComparer.Ordinal);
        while (reader.Read())
        {
            var label = reader.GetString(0);
            if (!byLabel.TryGetValue(label, out var faces))
            {
                byLabel[label] = faces = [];
            }

            faces.Add(new FaceLabeller.Candidate(reader.GetInt64(1), reader.GetInt64(2), reader.GetFloat(3), Sql.FromBlob((byte[])reader.GetValue(4))));
        }

        return byLabel;
    });

    private byte[]? Blob(string sql, long id) => database.Guard(() =>
    {
        using var connection = database.Connect();
        using var command = Sql.Command(connection, null, sql);
        Sql.Set(command, "@id", id);
        return command.ExecuteScalar() as byte[];
    });
}

/// <summary>
/// What one read of the catalog held: its generation, its number of embeddings and its largest face id. Face ids are
/// never reused, so the faces another process added since a snapshot are those above its largest id, unless a writer
/// that took an id earlier committed later (possible on a shared catalog): then the counts disagree and the index
/// is rebuilt (<see cref="IndexHost.CatchUp"/>).
/// </summary>
internal readonly record struct CatalogSnapshot(long Generation, long Faces, long MaxFaceId);
