using Rvs.Index;

namespace Rvs.Catalog;

/// <summary>
/// The catalog behind a collection, whatever holds it: catalog.db in a collection directory (the embedded default,
/// <see cref="CatalogDatabase"/>) or a PostgreSQL database several processes share
/// (PostgreSql/PostgresCatalog). It keeps the settings, the generation every write moves on and the
/// saved index's stamp; <see cref="Reader"/> and <see cref="Writer"/> do the rest.
/// </summary>
internal interface ICatalog : IDisposable
{
    /// <summary>What to call the catalog in messages: the collection directory, or the URI without its password.</summary>
    string Location { get; }

    /// <summary>
    /// The folder a back end saves its index files into, or null for a shared catalog: there is no folder every process
    /// sees, so an embedded index is rebuilt from the catalog's embeddings at every open.
    /// </summary>
    string? Directory { get; }

    /// <summary>Whether nothing may write (a command that only reads).</summary>
    bool ReadOnly { get; }

    /// <summary>Whether the catalog is at an older version that a read-write open upgrades (a read-only one cannot).</summary>
    bool NeedsUpgrade { get; }

    /// <summary>What a read-only open of a catalog that needs an upgrade says: it cannot upgrade without writing.</summary>
    CollectionException NeedsUpgradeError();

    ICatalogReader Reader { get; }

    ICatalogWriter Writer(PipelineIdentity pipeline);

    CollectionSettings ReadSettings();

    /// <summary>Records the back end the collection uses from now on (only `reindex --index` and creation do this).</summary>
    void RecordBackEnd(string kind, IReadOnlyDictionary<string, string> settings);

    /// <summary>The generation, the face count, the largest face id and the saved index's stamp, read in one snapshot.</summary>
    (long Generation, long Faces, long MaxFaceId, SavedIndexStamp? Saved) ReadState();

    /// <summary>The catalog's generation now: one indexed read, cheap enough to ask before every search.</summary>
    long ReadGeneration();

    /// <summary>Records the saved index's stamp and checksum together, in one transaction.</summary>
    void WriteStamp(SavedIndexStamp stamp);

    long CountFaces();

    /// <summary>The bytes the catalog takes where it is stored (`rvs stats`).</summary>
    long SizeOnDiskBytes();
}

/// <summary>Every read of a catalog: faces, photos, thumbnails, counts, and the names and places of vector hits.</summary>
internal interface ICatalogReader
{
    float[]? GetEmbedding(long faceId);

    FaceRecord? GetFace(long faceId);

    /// <summary>The faces of a photo in ordinal order.</summary>
    IReadOnlyList<FaceRecord> GetFaces(long imageId);

    ImageRecord? GetImage(long imageId);

    /// <summary>A photo by the path shown in results.</summary>
    ImageRecord? FindImage(string path);

    IReadOnlyList<ImageRecord> FindImagesWithContent(string contentHash);

    /// <summary>Photos with the given status, in path order.</summary>
    IReadOnlyList<ImageRecord> GetImages(ImageStatus status);

    byte[]? GetThumbnail(long faceId);

    /// <summary>The bytes stored for a photo that came from an archive (folder photos are read from their files).</summary>
    byte[]? GetStoredPhoto(long imageId);

    /// <summary>Path → content hash of the photos already indexed from one source, to skip unchanged files.</summary>
    Dictionary<string, string> ContentHashes(string source);

    /// <summary>Counts for `rvs stats` (everything but the loaded index, which the caller adds).</summary>
    (long Images, long Faces, long People, Dictionary<ImageStatus, long> ByStatus) Counts();

    /// <summary>How many faces <see cref="Pipelines.FaceQuality"/> calls low quality (the same rule, in SQL).</summary>
    long CountLowQualityFaces();

    /// <summary>
    /// Names and places vector hits, nearest first, ranked from 1: those beyond <paramref name="maxDistance"/> are
    /// dropped, and so is a face another process removed after this process loaded its index.
    /// </summary>
    List<SearchHit> ToSearchHits(IReadOnlyList<VectorHit> hits, float? maxDistance);

    /// <summary>
    /// Adds to <paramref name="index"/> every embedding of a face with an id above <paramref name="afterFaceId"/> (0:
    /// all of them), in one read transaction, and says what that snapshot holds (see <see cref="CatalogSnapshot"/>).
    /// </summary>
    CatalogSnapshot LoadSince(IVectorIndex index, int dimensions, long afterFaceId = 0);

    /// <summary>Every face of every labelled photo, grouped by the photo's label, for <see cref="FaceLabeller"/>.</summary>
    Dictionary<string, List<FaceLabeller.Candidate>> LabelCandidates();
}

/// <summary>
/// Every change to a catalog. Each mutation is one transaction that moves the generation on, and returns the
/// <see cref="ChangeSet"/> the vector index applies once the transaction has committed.
/// </summary>
internal interface ICatalogWriter
{
    /// <summary>Test hook: runs inside each indexing transaction, just before it commits.</summary>
    Action? BeforeCommit { get; set; }

    /// <summary>Writes finished photos; each photo's row, faces, embeddings and thumbnails commit together or not at all.</summary>
    ChangeSet WriteBatch(IReadOnlyList<ProcessedPhoto> photos);

    /// <summary>Removes photos (with their faces) by path, or everything under a folder or archive; null change when nothing matched.</summary>
    (RemovalSummary Removed, ChangeSet? Change) Remove(IEnumerable<string> paths);

    /// <summary>Removes one photo and its faces by id.</summary>
    (RemovalSummary Removed, ChangeSet? Change) RemoveImage(long imageId);

    /// <summary>Puts each label on the faces <paramref name="chosen"/> names and takes it off the label's other faces.</summary>
    ChangeSet SetFaceLabels(IReadOnlyDictionary<string, IReadOnlyCollection<long>> chosen);
}
