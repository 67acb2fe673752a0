using Rvs.Index;

namespace Rvs.Catalog;

/// <summary>
/// A face collection: a catalog (the source of truth: photos, faces, embeddings, face thumbnails) and a vector index
/// derived from it that is rebuilt whenever it does not match. The catalog is catalog.db in a collection directory,
/// beside the index files of back ends that save them, or a PostgreSQL database that several processes share
/// (<see cref="CatalogLocation"/>). This class only joins the parts: an <see cref="ICatalog"/> with its reader and
/// writer, and the <see cref="IndexHost"/>.
/// </summary>
/// <remarks>
/// Photos are not copied from folders: the absolute path is kept, because a folder stays where it is and copying
/// would double the disk used. Photos from archives are stored as blobs, because an archive is a transport format
/// that users move or delete after indexing, and finding one entry again means decompressing the archive up to it.
/// Every face also gets a small JPEG thumbnail, so result pages can show faces without touching the originals.
/// Safe to use from several threads: each call takes its own pooled connection, and searches run side by side.
/// </remarks>
public sealed class FaceCollection : IDisposable
{
    private readonly ICatalog _database;
    private readonly CatalogReader _reader;
    private readonly ICatalogWriter _writer;
    private readonly IndexHost _index;

    // Labels of photos written since the last FinishLabels: their group photos' faces still wait for a label.
    private readonly HashSet<string> _pendingLabels = new(StringComparer.Ordinal);

    private FaceCollection(ICatalog database, CollectionOptions options)
    {
        _database = database;
        try
        {
            if (database.NeedsUpgrade && database.ReadOnly)
            {
                throw database.NeedsUpgradeError();
            }

            Settings = database.ReadSettings();
            _reader = new CatalogReader(database);
            var recorded = options.BackEnds.FromSettings(Settings.IndexKind, Settings.IndexParameters, database.CountFaces());
            var backEnd = options.BackEnd ?? recorded;
            // Whatever this run searches with, the store the collection records must hear of every change it makes.
            _writer = database.Writer(Settings.Pipeline, queueVectors: database.KeepsInStep(recorded));

            var warn = options.Warnings ?? (message => Console.Error.WriteLine($"rvs: warning: {message}"));
            _index = new IndexHost(database, _reader, Settings.Pipeline.Dimensions, backEnd, persist: backEnd.Kind == recorded.Kind, warn);
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    /// <summary>Absolute path of the collection directory; null for a shared catalog, which has none.</summary>
    public string? Directory => _database.Directory;

    /// <summary>What the collection is called in messages: its directory, or its catalog's URI without the password.</summary>
    public string Location => _database.Location;

    public CollectionSettings Settings { get; private set; }

    public PipelineIdentity Pipeline => Settings.Pipeline;

    /// <summary>Faces in the vector index now; throws when part of a shared store cannot be counted.</summary>
    public long IndexedFaces => _index.Count;

    /// <summary>
    /// The gallery size a search's verdict is calibrated for: the index's faces, or the catalog's while part of a
    /// shared store is down, since a partial answer is judged as if it came from the whole collection (the stricter
    /// threshold of the larger gallery).
    /// </summary>
    public long GalleryFaces
    {
        get
        {
            try
            {
                return _index.Count;
            }
            catch (Errors.IndexUnavailableException)
            {
                return _database.CountFaces();
            }
        }
    }

    /// <summary>Faces in the catalog now, read from it (another process may have added some since the index was loaded).</summary>
    public long CatalogFaces() => _database.CountFaces();

    /// <summary>Kind of the vector index in use ("exact", "hnsw", …).</summary>
    public string IndexKind => _index.Kind;

    /// <summary>For an index on other servers (garnet), whether each shard answered its last command (no round trip); else empty.</summary>
    public IReadOnlyList<ShardStatus> IndexShards => _index.Shards;

    /// <summary>Test hook: runs inside each indexing transaction, just before it commits.</summary>
    internal Action? BeforeCommit
    {
        get => _writer.BeforeCommit;
        set => _writer.BeforeCommit = value;
    }

    /// <summary>Whether <paramref name="location"/> (a collection directory or a catalog URI) holds a collection.</summary>
    public static bool Exists(string location) => CatalogLocation.Exists(location);

    /// <summary>The stored settings of an existing collection, without loading its index (to pick a back end).</summary>
    public static CollectionSettings ReadSettings(string location)
    {
        using var database = CatalogLocation.OpenExisting(location, readOnly: true);
        return database.ReadSettings();
    }

    /// <summary>How many faces an existing collection holds, without loading its index.</summary>
    public static long CountFaces(string location)
    {
        using var database = CatalogLocation.OpenExisting(location, readOnly: true);
        return database.CountFaces();
    }

    /// <summary>
    /// Opens an existing collection (for search, stats, remove…); fails clearly if there is none or its catalog is
    /// damaged (<see cref="CatalogDamagedException"/>, the catalog left untouched).
    /// </summary>
    public static FaceCollection Open(string location, CollectionOptions? options = null)
    {
        options ??= new CollectionOptions();
        return new(CatalogLocation.OpenExisting(location, options.ReadOnly), options);
    }

    /// <summary>
    /// Opens the collection, creating it for this pipeline (recording <see cref="CollectionOptions.BackEnd"/>, or
    /// "auto") if the directory holds none. An existing collection made by another pipeline, model or vector size is
    /// refused with <see cref="CollectionMismatchException"/>.
    /// </summary>
    public static FaceCollection OpenOrCreate(string location, PipelineIdentity pipeline, CollectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentOutOfRangeException.ThrowIfLessThan(pipeline.Dimensions, 1);
        options ??= new CollectionOptions();
        var database = CatalogLocation.OpenOrCreate(location, pipeline, options.BackEnd?.Kind ?? VectorBackEnds.Auto,
            options.BackEnd?.Settings ?? new Dictionary<string, string>(),
            options.BackEnd is { IsShared: true } store ? () => store.Create(pipeline.Dimensions, 0).Dispose() : null);
        var collection = new FaceCollection(database, options);
        try
        {
            EnsureSamePipeline(collection.Location, collection.Pipeline, pipeline);
            return collection;
        }
        catch
        {
            collection.Dispose();
            throw;
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
    /// nearest first, optionally only those within <paramref name="maxDistance"/>; low-quality faces are left out.
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
    /// <param name="includeLowQuality">Keep faces that <see cref="Pipelines.FaceQuality"/> calls low quality (tiny or
    /// weakly detected); they are left out by default.</param>
    public CollectionSearchResult SearchWithStatus(ReadOnlySpan<float> query, int k, float? maxDistance = null,
        IReadOnlyCollection<ImageRecord>? excludeImages = null, bool includeLowQuality = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (query.Length != Settings.Pipeline.Dimensions)
        {
            throw new ArgumentException(
                $"The query has {query.Length} dimensions; this collection holds {Settings.Pipeline.Dimensions}.", nameof(query));
        }

        var excluded = excludeImages?.Select(i => i.ImageId).ToHashSet() ?? [];
        return Nearest(query, k, maxDistance, h => !excluded.Contains(h.ImageId) && (includeLowQuality || !h.LowQuality),
            excludeImages?.Sum(i => i.FaceCount) ?? 0);
    }

    /// <summary>The vector index's k nearest face ids to an embedding, without reading the catalog (what clustering asks).</summary>
    public IReadOnlyList<VectorHit> NearestFaces(ReadOnlySpan<float> query, int k) => _index.Search(query, k).Hits;

    /// <summary>The k faces nearest to a stored face, the face itself excluded; low-quality faces too unless asked for.</summary>
    public IReadOnlyList<SearchHit> Similar(long faceId, int k, float? maxDistance = null, bool includeLowQuality = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var embedding = GetEmbedding(faceId) ?? throw new Errors.NotFoundException($"there is no face {faceId} in the collection");
        return Nearest(embedding, k, maxDistance, h => h.FaceId != faceId && (includeLowQuality || !h.LowQuality), 1).Hits;
    }

    /// <summary>
    /// The k nearest hits that <paramref name="keep"/> accepts, ranked from 1. Dropped hits are made up for by asking
    /// the index for more: k plus the number known to be dropped, then twice as many each round, until k are kept,
    /// the index has no more, or the rest lie beyond <paramref name="maxDistance"/>.
    /// </summary>
    private CollectionSearchResult Nearest(ReadOnlySpan<float> query, int k, float? maxDistance, Func<SearchHit, bool> keep, long knownDropped)
    {
        var asked = Math.Min(k + knownDropped, int.MaxValue);
        while (true)
        {
            var result = _index.Search(query, (int)asked);
            var hits = _reader.ToSearchHits(result.Hits, maxDistance).Where(keep).Take(k)
                .Select((h, r) => h with { Rank = r + 1 }).ToList();
            var exhausted = result.Hits.Count < asked || asked == int.MaxValue
                || (maxDistance is { } max && result.Hits.Count > 0 && result.Hits[^1].Distance > max);
            if (hits.Count >= k || exhausted)
            {
                return new CollectionSearchResult(hits, result.IsPartial, result.Unavailable ?? []);
            }

            asked = Math.Min(asked * 2, int.MaxValue);
        }
    }

    public float[]? GetEmbedding(long faceId) => _reader.GetEmbedding(faceId);

    public FaceRecord? GetFace(long faceId) => _reader.GetFace(faceId);

    /// <summary>The faces of a photo in ordinal order (largest first, as the pipeline returned them).</summary>
    public IReadOnlyList<FaceRecord> GetFaces(long imageId) => _reader.GetFaces(imageId);

    public ImageRecord? GetImage(long imageId) => _reader.GetImage(imageId);

    /// <summary>Looks a photo up by the path shown in results.</summary>
    public ImageRecord? FindImage(string path) => _reader.FindImage(path);

    /// <summary>Photos whose bytes are exactly these (e.g. a query photo that is itself in the collection).</summary>
    public IReadOnlyList<ImageRecord> FindImagesWithContent(ReadOnlySpan<byte> photo) =>
        _reader.FindImagesWithContent(ContentHash(photo));

    /// <summary>The key that says two photos are the same file: sha256 of the bytes, lower-case hex.</summary>
    public static string ContentHash(ReadOnlySpan<byte> photo) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(photo));

    /// <summary>The same key for a file too large to hold (a video), read to its end.</summary>
    public static string ContentHash(Stream file) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file));

    /// <summary>Photos with the given status, in path order (e.g. to list what could not be read).</summary>
    public IReadOnlyList<ImageRecord> GetImages(ImageStatus status) => _reader.GetImages(status);

    /// <summary>The JPEG thumbnail of a face (about 112×112), or null if the face or its thumbnail is absent.</summary>
    public byte[]? GetThumbnail(long faceId) => _reader.GetThumbnail(faceId);

    /// <summary>The original file of a photo indexed from a folder, if it is still there; null otherwise.</summary>
    public string? GetPhotoFilePath(long imageId) =>
        GetImage(imageId) is { FromArchive: false } image && File.Exists(image.Path) ? image.Path : null;

    /// <summary>
    /// The encoded bytes of the original photo: read from its file, or from the catalog for archive photos.
    /// Null if the photo is unknown or its file has gone.
    /// </summary>
    public byte[]? GetPhotoBytes(long imageId) => ReadPhoto(imageId).Bytes;

    /// <summary>
    /// The original photo's bytes, or why they cannot be given: unknown photo (Known false), or a folder photo whose
    /// file is gone or is no longer the file indexed (see <see cref="IndexedPhotoFile"/>).
    /// </summary>
    public (byte[]? Bytes, bool Known, string? Problem) ReadPhoto(long imageId)
    {
        var image = GetImage(imageId);
        if (image is null)
        {
            return (null, false, null);
        }

        if (image.FromArchive)
        {
            var stored = _reader.GetStoredPhoto(imageId);
            return (stored, true, stored is null ? "its bytes were not kept when it was indexed" : null);
        }

        var (bytes, problem) = IndexedPhotoFile.Read(image);
        return (bytes, true, problem);
    }

    /// <summary>
    /// A video's file, open at its start for the caller to stream and dispose, or why it cannot be given: unknown
    /// or not a video (Known false), or its file is gone or is no longer the file indexed.
    /// </summary>
    public (FileStream? File, bool Known, string? Problem) OpenVideo(long imageId)
    {
        if (GetImage(imageId) is not { IsVideo: true } video)
        {
            return (null, false, null);
        }

        var (file, problem) = IndexedPhotoFile.Open(video);
        return (file, true, problem);
    }

    /// <summary>
    /// Removes photos (with their faces) by path. A path names one photo as shown in results, or a folder or archive
    /// whose photos all go; relative file-system paths are resolved against the current directory.
    /// </summary>
    public RemovalSummary Remove(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return Follow(_writer.Remove(paths));
    }

    /// <summary>Removes one photo and its faces by id; the photo's file, if it has one, is left alone.</summary>
    public RemovalSummary RemoveImage(long imageId) => Follow(_writer.RemoveImage(imageId));

    public CollectionStats Stats()
    {
        var (images, faces, people, byStatus) = _reader.Counts();
        return new CollectionStats(images, faces, people, byStatus, _database.SizeOnDiskBytes(), Settings, _index.Kind, _index.Count)
        {
            LowQualityFaces = _reader.CountLowQualityFaces(),
        };
    }

    /// <summary>
    /// Rebuilds the vector index from the embeddings in the catalog and saves it. With <paramref name="switchTo"/>,
    /// the collection records that back end and uses it from now on (the only way a stored back end changes).
    /// </summary>
    public long Reindex(IVectorBackEnd? switchTo = null)
    {
        if (switchTo is not null)
        {
            _database.RecordBackEnd(switchTo.Kind, switchTo.Settings);
            Settings = _database.ReadSettings();
        }

        return _index.Rebuild(switchTo);
    }

    /// <summary>
    /// Makes the vector index follow what other processes committed to the catalog since this one opened it (a
    /// long-running `rvs serve` while `rvs index` adds photos): a generation check when nothing changed, the new faces
    /// read when some were added, a rebuild after a removal. Returns whether the index changed.
    /// </summary>
    public bool CatchUp() => _index.CatchUp();

    /// <summary>Saves the vector index (if its back end saves and it changed), so the next open can load it.</summary>
    public void SaveIndex() => _index.Save();

    /// <summary>Writes finished photos in one transaction; the vector index follows once it has committed.</summary>
    internal void WriteBatch(IReadOnlyList<ProcessedPhoto> photos)
    {
        if (photos.Count > 0)
        {
            _index.Apply(_writer.WriteBatch(photos));
            lock (_pendingLabels)
            {
                _pendingLabels.UnionWith(photos.Where(p => p.Label is not null && p.Faces.Count > 0).Select(p => p.Label!));
            }
        }
    }

    /// <summary>
    /// Labels the faces of the group photos written since the last call (see <see cref="FaceLabeller"/>): the face
    /// within <paramref name="samePersonDistance"/> of the label's other faces gets it, the bystanders none.
    /// </summary>
    internal void FinishLabels(float? samePersonDistance)
    {
        string[] pending;
        lock (_pendingLabels)
        {
            pending = [.. _pendingLabels];
            _pendingLabels.Clear();
        }

        Relabel(pending.ToHashSet(StringComparer.Ordinal), samePersonDistance);
    }

    /// <summary>Puts every label of the collection back on the right face (what `rvs reindex` does for old collections).</summary>
    public void RelabelFaces(float? samePersonDistance) => Relabel(null, samePersonDistance);

    private void Relabel(HashSet<string>? only, float? samePersonDistance)
    {
        if (only is { Count: 0 })
        {
            return;
        }

        var chosen = _reader.LabelCandidates()
            .Where(p => only is null || only.Contains(p.Key))
            .ToDictionary(p => p.Key, p => (IReadOnlyCollection<long>)[.. FaceLabeller.Choose(p.Value, samePersonDistance)], StringComparer.Ordinal);
        if (chosen.Count > 0)
        {
            _index.Apply(_writer.SetFaceLabels(chosen));
        }
    }

    /// <summary>Path → content hash of the photos already indexed from one source, to skip unchanged files.</summary>
    internal Dictionary<string, string> ContentHashes(string source) => _reader.ContentHashes(source);

    public void Dispose()
    {
        _index.Dispose();
        _database.Dispose();
    }

    private RemovalSummary Follow((RemovalSummary Removed, ChangeSet? Change) result)
    {
        if (result.Change is { } change)
        {
            _index.Apply(change);
            _index.Save();
        }

        return result.Removed;
    }
}
