using System.Drawing;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Rvs.Index;

namespace Rvs.Catalog;

/// <summary>
/// A face collection: a directory holding catalog.db (the source of truth: photos, faces, embeddings, face
/// thumbnails) and, for back ends that can be saved, index.usearch (a derived vector index that is rebuilt
/// whenever it does not match the catalog).
/// </summary>
/// <remarks>
/// Photos are not copied from folders: the absolute path is kept, because a folder stays where it is and copying
/// would double the disk used. Photos from archives are stored as blobs, because an archive is a transport format
/// that users move or delete after indexing, and finding one entry again means decompressing the archive up to it.
/// Every face also gets a small JPEG thumbnail, so result pages can show faces without touching the originals.
/// Safe to use from several threads: each call takes its own pooled connection, and the vector index is guarded.
/// </remarks>
public sealed class FaceCollection : IDisposable
{
    private readonly string _connectionString;
    private readonly CollectionOptions _options;
    private readonly Lock _indexLock = new();
    private IVectorIndex _index;

    // The catalog generation the in-memory index reflects. Another process writing to the same catalog moves the
    // stored generation past it, and then the index must be rebuilt before it may be saved as current.
    private long _indexGeneration;
    private bool _indexOutOfSync;

    // The generation stamped on index.usearch, if this instance loaded or wrote it: saving again is then a no-op,
    // which matters when a run finds nothing new and the index is gigabytes.
    private long? _savedGeneration;
    private bool _disposed;

    private FaceCollection(string directory, string connectionString, CollectionSettings settings, CollectionOptions options)
    {
        Directory = directory;
        _connectionString = connectionString;
        Settings = settings;
        _options = options;
        _index = LoadOrBuildIndex();
    }

    /// <summary>Absolute path of the collection directory.</summary>
    public string Directory { get; }

    public CollectionSettings Settings { get; }

    public PipelineIdentity Pipeline => Settings.Pipeline;

    /// <summary>Kind of the vector index in use ("exact", "hnsw", …).</summary>
    public string IndexKind
    {
        get
        {
            lock (_indexLock)
            {
                return _index.Kind;
            }
        }
    }

    /// <summary>Test hook: runs inside each indexing transaction, just before it commits.</summary>
    internal Action<SqliteConnection>? BeforeCommit { get; set; }

    public static bool Exists(string directory) => File.Exists(System.IO.Path.Combine(directory, CatalogSchema.FileName));

    /// <summary>The stored settings of an existing collection, without loading its index (to pick a back end).</summary>
    public static CollectionSettings ReadSettings(string directory)
    {
        var full = RequireExisting(directory);
        using var connection = CatalogSchema.Open(CatalogSchema.ConnectionString(DatabasePath(full), create: false));
        return ReadSettings(connection, full);
    }

    /// <summary>
    /// How many faces an existing collection holds, without loading its index: lets a caller pick a back end by size
    /// (e.g. exact below 100,000 faces, HNSW above) before opening.
    /// </summary>
    public static long CountFaces(string directory)
    {
        var full = RequireExisting(directory);
        using var connection = CatalogSchema.Open(CatalogSchema.ConnectionString(DatabasePath(full), create: false));
        return CountFaces(connection, null);
    }

    /// <summary>Opens an existing collection (for search, stats, remove…); fails clearly if there is none.</summary>
    public static FaceCollection Open(string directory, CollectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var full = RequireExisting(directory);
        var connectionString = CatalogSchema.ConnectionString(DatabasePath(full), create: false);
        var settings = UpdateIndexSettings(connectionString, full, options);
        return new FaceCollection(full, connectionString, settings, options);
    }

    /// <summary>
    /// Opens the collection, creating it for this pipeline if the directory holds none. An existing collection made
    /// by another pipeline, model or vector size is refused with <see cref="CollectionMismatchException"/>.
    /// </summary>
    public static FaceCollection OpenOrCreate(string directory, PipelineIdentity pipeline, CollectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(pipeline.Dimensions, 1);
        var full = System.IO.Path.GetFullPath(directory);
        if (File.Exists(full))
        {
            throw new CollectionException($"'{full}' is a file; a collection is a directory");
        }

        System.IO.Directory.CreateDirectory(full);
        var connectionString = CatalogSchema.ConnectionString(DatabasePath(full), create: true);
        try
        {
            CreateIfMissing(connectionString, pipeline, options);
        }
        catch (SqliteException e)
        {
            throw new CollectionException($"'{full}' does not hold a readable rvs collection: {e.Message}", e);
        }

        var settings = UpdateIndexSettings(connectionString, full, options);
        EnsureSamePipeline(full, settings.Pipeline, pipeline);
        return new FaceCollection(full, connectionString, settings, options);
    }

    private static void CreateIfMissing(string connectionString, PipelineIdentity pipeline, CollectionOptions options)
    {
        using (var connection = CatalogSchema.Open(connectionString))
        {
            using var transaction = connection.BeginTransaction();
            if (!HasSettingsTable(connection, transaction))
            {
                CatalogSchema.Execute(connection, CatalogSchema.Ddl, transaction);
                CatalogSchema.Execute(connection, $"PRAGMA user_version = {CatalogSchema.Version}", transaction);
                var initial = new Dictionary<string, string>
                {
                    [CatalogSchema.KeySchemaVersion] = CatalogSchema.Version.ToString(CultureInfo.InvariantCulture),
                    [CatalogSchema.KeyPipeline] = pipeline.Name,
                    [CatalogSchema.KeyModelId] = pipeline.ModelId,
                    [CatalogSchema.KeyMetric] = "l2",
                    [CatalogSchema.KeyDimensions] = pipeline.Dimensions.ToString(CultureInfo.InvariantCulture),
                    [CatalogSchema.KeyIndexKind] = options.IndexKind ?? "auto",
                    [CatalogSchema.KeyGeneration] = "0",
                };
                foreach (var (key, value) in initial)
                {
                    WriteSetting(connection, transaction, key, value);
                }
            }

            transaction.Commit();
        }
    }

    internal static void EnsureSamePipeline(string directory, PipelineIdentity stored, PipelineIdentity wanted)
    {
        if (stored != wanted)
        {
            throw new CollectionMismatchException(
                $"The collection at '{directory}' was built with pipeline {stored}, but this run uses {wanted}. "
                + "Embeddings of different pipelines or models cannot be compared: use another collection directory, "
                + "or the pipeline the collection was built with.");
        }
    }

    /// <summary>
    /// The k faces nearest to <paramref name="query"/> (an L2-normalised embedding of this collection's pipeline),
    /// nearest first, optionally only those within <paramref name="maxDistance"/>.
    /// </summary>
    public IReadOnlyList<SearchHit> Search(ReadOnlySpan<float> query, int k, float? maxDistance = null) =>
        SearchWithStatus(query, k, maxDistance).Hits;

    /// <summary>
    /// Like <see cref="Search"/>, but a back end that allows partial answers (garnet with AllowPartial) may return
    /// the reachable shards' hits, marked partial with the unreachable shards named, instead of failing.
    /// </summary>
    /// <param name="query">An L2-normalised embedding of this collection's pipeline.</param>
    /// <param name="k">How many hits.</param>
    /// <param name="maxDistance">Only hits closer than this.</param>
    /// <param name="excludeImages">Photos whose faces are left out, e.g. the query photo itself when it is in the
    /// collection (see <see cref="FindImagesWithContent"/>); the remaining hits are ranked from 1.</param>
    public CollectionSearchResult SearchWithStatus(ReadOnlySpan<float> query, int k, float? maxDistance = null, IReadOnlyCollection<ImageRecord>? excludeImages = null)
    {
        if (excludeImages is { Count: > 0 })
        {
            var excluded = excludeImages.Select(i => i.ImageId).ToHashSet();
            var wider = SearchWithStatus(query, k + excludeImages.Sum(i => i.FaceCount), maxDistance);
            var kept = wider.Hits.Where(h => !excluded.Contains(h.ImageId)).Take(k).Select((h, r) => h with { Rank = r + 1 }).ToList();
            return wider with { Hits = kept };
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (query.Length != Settings.Pipeline.Dimensions)
        {
            throw new ArgumentException(
                $"The query has {query.Length} dimensions; this collection holds {Settings.Pipeline.Dimensions}.", nameof(query));
        }

        SearchResult result;
        lock (_indexLock)
        {
            result = _index.SearchWithStatus(query, k);
        }

        return new CollectionSearchResult(ToSearchHits(result.Hits, maxDistance, excludeFaceId: null, k), result.IsPartial, result.Unavailable ?? []);
    }

    /// <summary>The k faces nearest to a stored face, the face itself excluded.</summary>
    public IReadOnlyList<SearchHit> Similar(long faceId, int k, float? maxDistance = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var embedding = GetEmbedding(faceId) ?? throw new KeyNotFoundException($"There is no face {faceId} in the collection.");
        IReadOnlyList<VectorHit> hits;
        lock (_indexLock)
        {
            hits = _index.Search(embedding, k + 1);
        }

        return ToSearchHits(hits, maxDistance, faceId, k);
    }

    private List<SearchHit> ToSearchHits(IReadOnlyList<VectorHit> hits, float? maxDistance, long? excludeFaceId, int k)
    {
        var wanted = hits.Where(h => h.Id != excludeFaceId && (maxDistance is null || h.Distance <= maxDistance)).ToList();
        if (wanted.Count == 0)
        {
            return [];
        }

        var faces = new Dictionary<long, (long ImageId, string Path, string? Label, RectangleF Box)>();
        using var connection = OpenConnection();
        // Chunks keep a large k under SQLite's limit on parameters per statement.
        foreach (var chunk in wanted.Chunk(500))
        {
            using var command = connection.CreateCommand();
            var names = new string[chunk.Length];
            for (var i = 0; i < chunk.Length; i++)
            {
                names[i] = "$f" + i.ToString(CultureInfo.InvariantCulture);
                command.Parameters.AddWithValue(names[i], chunk[i].Id);
            }

            command.CommandText = $"""
                SELECT f.id, f.image_id, i.path, f.label, f.x, f.y, f.w, f.h
                FROM faces f JOIN images i ON i.id = f.image_id
                WHERE f.id IN ({string.Join(',', names)})
                """;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                faces[reader.GetInt64(0)] = (reader.GetInt64(1), reader.GetString(2), NullableString(reader, 3),
                    new RectangleF(reader.GetFloat(4), reader.GetFloat(5), reader.GetFloat(6), reader.GetFloat(7)));
            }
        }

        var result = new List<SearchHit>();
        foreach (var hit in wanted)
        {
            // A face removed by another process may linger in an index loaded before the removal; skip it.
            if (result.Count < k && faces.TryGetValue(hit.Id, out var face))
            {
                result.Add(new SearchHit(result.Count + 1, hit.Id, face.ImageId, face.Path, face.Label,
                    hit.Distance, hit.Similarity, face.Box));
            }
        }

        return result;
    }

    public float[]? GetEmbedding(long faceId)
    {
        using var connection = OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT vector FROM embeddings WHERE face_id = $id";
        command.Parameters.AddWithValue("$id", faceId);
        return command.ExecuteScalar() is byte[] blob ? FromBlob(blob) : null;
    }

    public FaceRecord? GetFace(long faceId) => QueryFaces("f.id = $id", faceId).FirstOrDefault();

    /// <summary>The faces of a photo in ordinal order (largest first, as the pipeline returned them).</summary>
    public IReadOnlyList<FaceRecord> GetFaces(long imageId) => QueryFaces("f.image_id = $id", imageId);

    private List<FaceRecord> QueryFaces(string where, long id)
    {
        using var connection = OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT f.id, f.image_id, f.ordinal, i.path, f.label, f.x, f.y, f.w, f.h, f.score, f.landmarks
            FROM faces f JOIN images i ON i.id = f.image_id
            WHERE {where} ORDER BY f.image_id, f.ordinal
            """;
        command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        var faces = new List<FaceRecord>();
        while (reader.Read())
        {
            faces.Add(new FaceRecord(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2), reader.GetString(3),
                NullableString(reader, 4),
                new RectangleF(reader.GetFloat(5), reader.GetFloat(6), reader.GetFloat(7), reader.GetFloat(8)),
                reader.GetFloat(9), LandmarksFromJson(reader.GetString(10))));
        }

        return faces;
    }

    public ImageRecord? GetImage(long imageId) => QueryImages("i.id = $key", imageId).FirstOrDefault();

    /// <summary>Looks a photo up by the path shown in results.</summary>
    public ImageRecord? FindImage(string path) => QueryImages("i.path = $key", path).FirstOrDefault();

    /// <summary>Photos whose bytes are exactly these (e.g. a query photo that is itself in the collection).</summary>
    public IReadOnlyList<ImageRecord> FindImagesWithContent(ReadOnlySpan<byte> photo) =>
        QueryImages("i.content_hash = $key", ContentHash(photo));

    /// <summary>The key that says two photos are the same file: sha256 of the bytes, lower-case hex.</summary>
    public static string ContentHash(ReadOnlySpan<byte> photo) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(photo));

    /// <summary>Photos with the given status, in path order (e.g. to list what could not be read).</summary>
    public IReadOnlyList<ImageRecord> GetImages(ImageStatus status) =>
        QueryImages("i.status = $key", CatalogSchema.StatusText(status));

    private List<ImageRecord> QueryImages(string where, object key)
    {
        using var connection = OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT i.id, i.path, i.source, i.entry, i.from_archive, i.content_hash, i.size, i.status, i.error, i.label,
                   i.width, i.height, i.indexed_at, (SELECT count(*) FROM faces f WHERE f.image_id = i.id)
            FROM images i WHERE {where} ORDER BY i.path
            """;
        command.Parameters.AddWithValue("$key", key);
        using var reader = command.ExecuteReader();
        var images = new List<ImageRecord>();
        while (reader.Read())
        {
            images.Add(new ImageRecord(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetInt64(4) != 0, reader.GetString(5), reader.GetInt64(6), CatalogSchema.ParseStatus(reader.GetString(7)),
                NullableString(reader, 8), NullableString(reader, 9),
                reader.IsDBNull(10) ? null : reader.GetInt32(10), reader.IsDBNull(11) ? null : reader.GetInt32(11),
                DateTimeOffset.Parse(reader.GetString(12), CultureInfo.InvariantCulture), reader.GetInt32(13)));
        }

        return images;
    }

    /// <summary>The JPEG thumbnail of a face (about 112×112), or null if the face or its thumbnail is absent.</summary>
    public byte[]? GetThumbnail(long faceId)
    {
        using var connection = OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT jpeg FROM thumbnails WHERE face_id = $id";
        command.Parameters.AddWithValue("$id", faceId);
        return command.ExecuteScalar() as byte[];
    }

    /// <summary>The original file of a photo indexed from a folder, if it is still there; null otherwise.</summary>
    public string? GetPhotoFilePath(long imageId)
    {
        var image = GetImage(imageId);
        return image is { FromArchive: false } && File.Exists(image.Path) ? image.Path : null;
    }

    /// <summary>
    /// The encoded bytes of the original photo: read from its file, or from the catalog for archive photos.
    /// Null if the photo is unknown or its file has gone.
    /// </summary>
    public byte[]? GetPhotoBytes(long imageId)
    {
        var image = GetImage(imageId);
        if (image is null)
        {
            return null;
        }

        if (!image.FromArchive)
        {
            try
            {
                return File.ReadAllBytes(image.Path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }

        using var connection = OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT bytes FROM photos WHERE image_id = $id";
        command.Parameters.AddWithValue("$id", imageId);
        return command.ExecuteScalar() as byte[];
    }

    /// <summary>
    /// Removes photos (with their faces) by path. A path names one photo as shown in results, or a folder or archive
    /// whose photos all go; relative file-system paths are resolved against the current directory.
    /// </summary>
    public RemovalSummary Remove(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var faceIds = new List<long>();
        var images = 0;
        using var connection = OpenConnection();
        using (var transaction = connection.BeginTransaction())
        {
            foreach (var given in paths)
            {
                foreach (var candidate in PathCandidates(given))
                {
                    const string Match = "path = $p OR substr(path, 1, length($p) + 1) = $p || '/' OR substr(path, 1, length($p) + 2) = $p || '!/'";
                    using (var select = connection.CreateCommand())
                    {
                        select.Transaction = transaction;
                        select.CommandText = $"SELECT f.id FROM faces f JOIN images i ON i.id = f.image_id WHERE i.id IN (SELECT id FROM images WHERE {Match})";
                        select.Parameters.AddWithValue("$p", candidate);
                        using var reader = select.ExecuteReader();
                        while (reader.Read())
                        {
                            faceIds.Add(reader.GetInt64(0));
                        }
                    }

                    using var delete = connection.CreateCommand();
                    delete.Transaction = transaction;
                    delete.CommandText = $"DELETE FROM images WHERE {Match}";
                    delete.Parameters.AddWithValue("$p", candidate);
                    images += delete.ExecuteNonQuery();
                }
            }

            if (images > 0)
            {
                BumpGeneration(connection, transaction);
            }

            transaction.Commit();
        }

        if (images > 0)
        {
            lock (_indexLock)
            {
                _index.Remove(faceIds);
            }

            SaveIndex();
        }

        return new RemovalSummary(images, faceIds.Count);
    }

    /// <summary>Removes one photo and its faces by id; the photo's file, if it has one, is left alone.</summary>
    public RemovalSummary RemoveImage(long imageId)
    {
        var faceIds = new List<long>();
        int images;
        using var connection = OpenConnection();
        using (var transaction = connection.BeginTransaction())
        {
            using (var select = Command(connection, transaction, "SELECT id FROM faces WHERE image_id = $id"))
            {
                select.Parameters.AddWithValue("$id", imageId);
                using var reader = select.ExecuteReader();
                while (reader.Read())
                {
                    faceIds.Add(reader.GetInt64(0));
                }
            }

            using (var delete = Command(connection, transaction, "DELETE FROM images WHERE id = $id"))
            {
                delete.Parameters.AddWithValue("$id", imageId);
                images = delete.ExecuteNonQuery();
            }

            if (images == 0)
            {
                return new RemovalSummary(0, 0);
            }

            var generation = BumpGeneration(connection, transaction);
            transaction.Commit();
            lock (_indexLock)
            {
                _index.Remove(faceIds);
                NoteGeneration(generation);
            }
        }

        SaveIndex();
        return new RemovalSummary(images, faceIds.Count);
    }

    private static IEnumerable<string> PathCandidates(string given)
    {
        var trimmed = given.TrimEnd('/', '\\');
        if (trimmed.Length == 0)
        {
            trimmed = given;
        }

        yield return trimmed;
        var full = System.IO.Path.GetFullPath(trimmed).Replace('\\', '/');
        if (full != trimmed)
        {
            yield return full;
        }
    }

    public CollectionStats Stats()
    {
        using var connection = OpenConnection();
        long Scalar(string sql)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        var byStatus = Enum.GetValues<ImageStatus>().ToDictionary(s => s, _ => 0L);
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT status, count(*) FROM images GROUP BY status";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                byStatus[CatalogSchema.ParseStatus(reader.GetString(0))] = reader.GetInt64(1);
            }
        }

        var images = Scalar("SELECT count(*) FROM images");
        var faces = Scalar("SELECT count(*) FROM faces");
        var people = Scalar("SELECT count(DISTINCT label) FROM images WHERE label IS NOT NULL");
        var size = new DirectoryInfo(Directory).EnumerateFiles().Sum(f => f.Length);
        string kind;
        long vectors;
        lock (_indexLock)
        {
            kind = _index.Kind;
            vectors = _index.Count;
        }

        return new CollectionStats(images, faces, people, byStatus, size, Settings, kind, vectors);
    }

    /// <summary>Rebuilds the vector index from the embeddings in the catalog (and saves it if the back end can be saved).</summary>
    public long Reindex()
    {
        var fresh = BuildIndex(out var generation);
        IVectorIndex old;
        lock (_indexLock)
        {
            old = _index;
            _index = fresh;
            _indexGeneration = generation;
            _indexOutOfSync = false;
        }

        old.Dispose();
        SaveIndex();
        return fresh.Count;
    }

    /// <summary>
    /// Saves the vector index next to the catalog, stamped with the catalog generation, so the next open can load it
    /// instead of rebuilding. Does nothing for back ends that cannot be saved.
    /// </summary>
    public void SaveIndex()
    {
        if (_options.SaveIndex is null)
        {
            return;
        }

        bool outOfSync;
        lock (_indexLock)
        {
            outOfSync = _indexOutOfSync;
        }

        if (outOfSync)
        {
            Reindex();
            return;
        }

        var target = System.IO.Path.Combine(Directory, CatalogSchema.IndexFileName);
        var temporary = target + ".tmp";
        File.Delete(temporary);
        long generation, count;
        string kind;
        lock (_indexLock)
        {
            if (_savedGeneration == _indexGeneration && File.Exists(target))
            {
                return;
            }

            _options.SaveIndex(_index, temporary);
            generation = _indexGeneration;
            count = _index.Count;
            kind = _index.Kind;
        }

        if (!File.Exists(temporary))
        {
            return;
        }

        // Rename over the old file: a crash mid-save leaves either the old index (whose stamp no longer matches, so
        // it is rebuilt) or the new one, never half a file under the real name.
        File.Move(temporary, target, overwrite: true);
        using var connection = OpenConnection();
        using var transaction = connection.BeginTransaction();
        WriteSetting(connection, transaction, CatalogSchema.KeySavedIndexGeneration, generation.ToString(CultureInfo.InvariantCulture));
        WriteSetting(connection, transaction, CatalogSchema.KeySavedIndexCount, count.ToString(CultureInfo.InvariantCulture));
        WriteSetting(connection, transaction, CatalogSchema.KeySavedIndexKind, kind);
        transaction.Commit();
        lock (_indexLock)
        {
            _savedGeneration = generation;
        }
    }

    private IVectorIndex LoadOrBuildIndex()
    {
        var file = System.IO.Path.Combine(Directory, CatalogSchema.IndexFileName);
        if (_options.LoadIndex is not null && File.Exists(file))
        {
            using var connection = OpenConnection();
            var settings = ReadAllSettings(connection, null);
            var generation = ReadGeneration(connection, null);
            var faces = CountFaces(connection, null);
            var wantedKind = _options.BackEnd;
            if (wantedKind is null)
            {
                using var probe = _options.CreateIndex(Settings.Pipeline.Dimensions);
                wantedKind = probe.Kind;
            }

            if (settings.GetValueOrDefault(CatalogSchema.KeySavedIndexGeneration) == generation.ToString(CultureInfo.InvariantCulture)
                && settings.GetValueOrDefault(CatalogSchema.KeySavedIndexCount) == faces.ToString(CultureInfo.InvariantCulture)
                && settings.GetValueOrDefault(CatalogSchema.KeySavedIndexKind) == wantedKind)
            {
                try
                {
                    var loaded = _options.LoadIndex(file, Settings.Pipeline.Dimensions);
                    if (loaded.Count == faces && loaded.Dimensions == Settings.Pipeline.Dimensions)
                    {
                        _indexGeneration = generation;
                        _savedGeneration = generation;
                        return loaded;
                    }

                    loaded.Dispose();
                }
                catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or ArgumentException)
                {
                    // A damaged index file is only a cache miss: the catalog can always rebuild it.
                }
            }
        }

        var built = BuildIndex(out var builtGeneration);
        _indexGeneration = builtGeneration;
        return built;
    }

    private IVectorIndex BuildIndex(out long generation)
    {
        var index = _options.CreateIndex(Settings.Pipeline.Dimensions);
        if (index.Dimensions != Settings.Pipeline.Dimensions)
        {
            index.Dispose();
            throw new CollectionException($"The index factory made a {index.Dimensions}-dimensional index for a {Settings.Pipeline.Dimensions}-dimensional collection.");
        }

        // One read transaction gives a snapshot: the generation read matches exactly the embeddings loaded.
        using var connection = OpenConnection();
        using var transaction = connection.BeginTransaction(deferred: true);
        generation = ReadGeneration(connection, transaction);
        const int Chunk = 4096;
        var dimensions = Settings.Pipeline.Dimensions;
        var ids = new List<long>(Chunk);
        var attributes = new List<string?>(Chunk);
        var vectors = new float[Chunk * dimensions];
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            SELECT e.face_id, e.vector, f.image_id, i.path, i.label, f.x, f.y, f.w, f.h
            FROM embeddings e JOIN faces f ON f.id = e.face_id JOIN images i ON i.id = f.image_id
            ORDER BY e.face_id
            """;
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var blob = (byte[])reader.GetValue(1);
                if (blob.Length != dimensions * sizeof(float))
                {
                    throw new CollectionException($"Face {reader.GetInt64(0)} has a {blob.Length / sizeof(float)}-dimensional embedding in a {dimensions}-dimensional collection; the catalog is damaged.");
                }

                MemoryMarshal.Cast<byte, float>(blob).CopyTo(vectors.AsSpan(ids.Count * dimensions, dimensions));
                ids.Add(reader.GetInt64(0));
                attributes.Add(FaceAttributes.ToJson(reader.GetInt64(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4),
                    new RectangleF(reader.GetFloat(5), reader.GetFloat(6), reader.GetFloat(7), reader.GetFloat(8))));
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
        return index;
    }

    /// <summary>
    /// Writes finished photos in one transaction: each photo's row, faces, embeddings and thumbnails commit together
    /// or not at all, so a killed run never leaves half a photo. A photo already present under the same path is
    /// replaced (its old faces go by cascade). The vector index follows once the transaction has committed.
    /// </summary>
    internal void WriteBatch(IReadOnlyList<ProcessedPhoto> photos)
    {
        if (photos.Count == 0)
        {
            return;
        }

        var removedFaces = new List<long>();
        var addedFaces = new List<long>();
        var addedVectors = new List<float[]>();
        var addedAttributes = new List<string?>();
        var modelId = Settings.Pipeline.ModelId;
        var now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        long generation;
        using var connection = OpenConnection();
        using (var transaction = connection.BeginTransaction())
        {
            using var findOld = Command(connection, transaction, "SELECT f.id FROM images i JOIN faces f ON f.image_id = i.id WHERE i.path = $path");
            using var deleteOld = Command(connection, transaction, "DELETE FROM images WHERE path = $path");
            using var insertImage = Command(connection, transaction, """
                INSERT INTO images (path, source, entry, from_archive, content_hash, size, status, error, label, width, height, indexed_at)
                VALUES ($path, $source, $entry, $archive, $hash, $size, $status, $error, $label, $width, $height, $at)
                RETURNING id
                """);
            using var insertFace = Command(connection, transaction, """
                INSERT INTO faces (image_id, ordinal, x, y, w, h, score, landmarks, label)
                VALUES ($image, $ordinal, $x, $y, $w, $h, $score, $landmarks, $label)
                RETURNING id
                """);
            using var insertEmbedding = Command(connection, transaction, "INSERT INTO embeddings (face_id, model_id, vector) VALUES ($face, $model, $vector)");
            using var insertThumbnail = Command(connection, transaction, "INSERT INTO thumbnails (face_id, jpeg) VALUES ($face, $jpeg)");
            using var insertPhoto = Command(connection, transaction, "INSERT INTO photos (image_id, bytes) VALUES ($image, $bytes)");

            foreach (var photo in photos)
            {
                Set(findOld, "$path", photo.Path);
                using (var reader = findOld.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        removedFaces.Add(reader.GetInt64(0));
                    }
                }

                Set(deleteOld, "$path", photo.Path);
                deleteOld.ExecuteNonQuery();

                Set(insertImage, "$path", photo.Path);
                Set(insertImage, "$source", photo.Source);
                Set(insertImage, "$entry", photo.Entry);
                Set(insertImage, "$archive", photo.FromArchive ? 1 : 0);
                Set(insertImage, "$hash", photo.ContentHash);
                Set(insertImage, "$size", photo.Size);
                Set(insertImage, "$status", CatalogSchema.StatusText(photo.Status));
                Set(insertImage, "$error", photo.Error);
                Set(insertImage, "$label", photo.Label);
                Set(insertImage, "$width", photo.Width);
                Set(insertImage, "$height", photo.Height);
                Set(insertImage, "$at", now);
                var imageId = Convert.ToInt64(insertImage.ExecuteScalar(), CultureInfo.InvariantCulture);

                for (var ordinal = 0; ordinal < photo.Faces.Count; ordinal++)
                {
                    var face = photo.Faces[ordinal];
                    var box = face.Face.Box;
                    Set(insertFace, "$image", imageId);
                    Set(insertFace, "$ordinal", ordinal);
                    Set(insertFace, "$x", box.X);
                    Set(insertFace, "$y", box.Y);
                    Set(insertFace, "$w", box.Width);
                    Set(insertFace, "$h", box.Height);
                    Set(insertFace, "$score", face.Face.Score);
                    Set(insertFace, "$landmarks", LandmarksToJson(face.Face.Landmarks));
                    Set(insertFace, "$label", photo.Label);
                    var faceId = Convert.ToInt64(insertFace.ExecuteScalar(), CultureInfo.InvariantCulture);

                    Set(insertEmbedding, "$face", faceId);
                    Set(insertEmbedding, "$model", modelId);
                    Set(insertEmbedding, "$vector", ToBlob(face.Embedding));
                    insertEmbedding.ExecuteNonQuery();

                    if (face.Thumbnail is { } jpeg)
                    {
                        Set(insertThumbnail, "$face", faceId);
                        Set(insertThumbnail, "$jpeg", jpeg);
                        insertThumbnail.ExecuteNonQuery();
                    }

                    addedFaces.Add(faceId);
                    addedVectors.Add(face.Embedding);
                    addedAttributes.Add(FaceAttributes.ToJson(imageId, photo.Path, photo.Label, box));
                }

                if (photo.PhotoBytes is { } bytes)
                {
                    Set(insertPhoto, "$image", imageId);
                    Set(insertPhoto, "$bytes", bytes);
                    insertPhoto.ExecuteNonQuery();
                }
            }

            generation = BumpGeneration(connection, transaction);
            BeforeCommit?.Invoke(connection);
            transaction.Commit();
        }

        var dimensions = Settings.Pipeline.Dimensions;
        var flat = new float[addedFaces.Count * dimensions];
        for (var i = 0; i < addedVectors.Count; i++)
        {
            addedVectors[i].CopyTo(flat, i * dimensions);
        }

        lock (_indexLock)
        {
            if (removedFaces.Count > 0)
            {
                _index.Remove(removedFaces);
            }

            if (addedFaces.Count > 0)
            {
                _index.Add(addedFaces, flat, addedAttributes);
            }

            NoteGeneration(generation);
        }
    }

    /// <summary>Path → content hash of the photos already indexed from one source, to skip unchanged files.</summary>
    internal Dictionary<string, string> ContentHashes(string source)
    {
        using var connection = OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT path, content_hash FROM images WHERE source = $source";
        command.Parameters.AddWithValue("$source", source);
        using var reader = command.ExecuteReader();
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            hashes[reader.GetString(0)] = reader.GetString(1);
        }

        return hashes;
    }

    private static long BumpGeneration(SqliteConnection connection, SqliteTransaction transaction)
    {
        using var command = Command(connection, transaction,
            $"UPDATE settings SET value = CAST(value AS INTEGER) + 1 WHERE key = '{CatalogSchema.KeyGeneration}' RETURNING value");
        var generation = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        return generation;
    }

    private void NoteGeneration(long generation)
    {
        // Called under the index lock after our own commit: anything but the next number means another writer
        // committed in between, and the in-memory index lacks its changes.
        if (generation != _indexGeneration + 1)
        {
            _indexOutOfSync = true;
        }

        _indexGeneration = generation;
    }

    internal SqliteConnection OpenConnection()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return CatalogSchema.Open(_connectionString);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        lock (_indexLock)
        {
            _index.Dispose();
        }

        // Pooled connections would keep the database files open after the collection is closed.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private static string DatabasePath(string directory) => System.IO.Path.Combine(directory, CatalogSchema.FileName);

    private static string RequireExisting(string directory)
    {
        var full = System.IO.Path.GetFullPath(directory);
        if (!Exists(full))
        {
            throw new CollectionException($"There is no collection at '{full}' (no {CatalogSchema.FileName}); index some photos into it first.");
        }

        return full;
    }

    private static bool HasSettingsTable(SqliteConnection connection, SqliteTransaction transaction)
    {
        using var command = Command(connection, transaction, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'settings'");
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
    }

    private static CollectionSettings UpdateIndexSettings(string connectionString, string directory, CollectionOptions options)
    {
        try
        {
            return UpdateIndexSettingsCore(connectionString, directory, options);
        }
        catch (SqliteException e)
        {
            throw new CollectionException($"'{directory}' does not hold a readable rvs collection: {e.Message}", e);
        }
    }

    private static CollectionSettings UpdateIndexSettingsCore(string connectionString, string directory, CollectionOptions options)
    {
        using var connection = CatalogSchema.Open(connectionString);
        if (options.IndexKind is not null || options.IndexParameters is not null)
        {
            using var transaction = connection.BeginTransaction();
            if (options.IndexKind is { } kind)
            {
                WriteSetting(connection, transaction, CatalogSchema.KeyIndexKind, kind);
            }

            if (options.IndexParameters is { } parameters)
            {
                using (var clear = Command(connection, transaction, "DELETE FROM settings WHERE substr(key, 1, length($p)) = $p"))
                {
                    clear.Parameters.AddWithValue("$p", CatalogSchema.KeyIndexParameterPrefix);
                    clear.ExecuteNonQuery();
                }

                foreach (var (key, value) in parameters)
                {
                    WriteSetting(connection, transaction, CatalogSchema.KeyIndexParameterPrefix + key, value);
                }
            }

            transaction.Commit();
        }

        return ReadSettings(connection, directory);
    }

    private static CollectionSettings ReadSettings(SqliteConnection connection, string directory)
    {
        Dictionary<string, string> all;
        try
        {
            all = ReadAllSettings(connection, null);
        }
        catch (SqliteException e)
        {
            throw new CollectionException($"'{directory}' does not hold a readable rvs collection: {e.Message}", e);
        }

        string Required(string key) => all.TryGetValue(key, out var value)
            ? value
            : throw new CollectionException($"The collection at '{directory}' lacks the '{key}' setting; the catalog is damaged.");

        var version = int.Parse(Required(CatalogSchema.KeySchemaVersion), CultureInfo.InvariantCulture);
        if (version > CatalogSchema.Version)
        {
            throw new CollectionException($"The collection at '{directory}' has catalog version {version}; this rvs reads up to version {CatalogSchema.Version}. Use a newer rvs.");
        }

        var parameters = all.Where(p => p.Key.StartsWith(CatalogSchema.KeyIndexParameterPrefix, StringComparison.Ordinal))
            .ToDictionary(p => p.Key[CatalogSchema.KeyIndexParameterPrefix.Length..], p => p.Value);
        return new CollectionSettings(
            version,
            new PipelineIdentity(Required(CatalogSchema.KeyPipeline), Required(CatalogSchema.KeyModelId),
                int.Parse(Required(CatalogSchema.KeyDimensions), CultureInfo.InvariantCulture)),
            Required(CatalogSchema.KeyMetric),
            all.GetValueOrDefault(CatalogSchema.KeyIndexKind) ?? "auto",
            parameters);
    }

    private static Dictionary<string, string> ReadAllSettings(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using var command = Command(connection, transaction, "SELECT key, value FROM settings");
        using var reader = command.ExecuteReader();
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            all[reader.GetString(0)] = reader.GetString(1);
        }

        return all;
    }

    private static long ReadGeneration(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using var command = Command(connection, transaction, $"SELECT value FROM settings WHERE key = '{CatalogSchema.KeyGeneration}'");
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static long CountFaces(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using var command = Command(connection, transaction, "SELECT count(*) FROM embeddings");
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static void WriteSetting(SqliteConnection connection, SqliteTransaction transaction, string key, string value)
    {
        using var command = Command(connection, transaction, "INSERT INTO settings (key, value) VALUES ($k, $v) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
        command.Parameters.AddWithValue("$k", key);
        command.Parameters.AddWithValue("$v", value);
        command.ExecuteNonQuery();
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static void Set(SqliteCommand command, string name, object? value)
    {
        if (command.Parameters.Contains(name))
        {
            command.Parameters[name].Value = value ?? DBNull.Value;
        }
        else
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
    }

    private static string? NullableString(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    // Vectors are stored as raw float32 in the machine's byte order (little-endian on every platform .NET runs
    // rvs on), which lets the bulk load copy them without parsing.
    internal static byte[] ToBlob(float[] vector) => MemoryMarshal.AsBytes(vector.AsSpan()).ToArray();

    internal static float[] FromBlob(byte[] blob) => MemoryMarshal.Cast<byte, float>(blob).ToArray();

    private static string LandmarksToJson(PointF[] landmarks) =>
        JsonSerializer.Serialize(landmarks.Select(p => new[] { p.X, p.Y }).ToArray());

    private static PointF[] LandmarksFromJson(string json) =>
        (JsonSerializer.Deserialize<float[][]>(json) ?? []).Select(p => new PointF(p[0], p[1])).ToArray();
}
