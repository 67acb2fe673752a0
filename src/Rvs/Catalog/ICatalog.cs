using System.Data.Common;
using System.Globalization;

namespace Rvs.Catalog;

/// <summary>
/// The catalog behind a collection, whatever holds it: catalog.db in a collection directory (the embedded default,
/// <see cref="CatalogDatabase"/>) or a PostgreSQL database several processes share
/// (PostgreSql/PostgresCatalog). It keeps the settings, the generation every write moves on and the
/// saved index's stamp, and gives the connections <see cref="CatalogReader"/> reads through; its
/// <see cref="Writer"/> makes every change.
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

    /// <param name="queueVectors">Whether each change also queues its faces for a vector store that other processes
    /// share (a shared catalog whose recorded back end is garnet; see PostgreSql/VectorOutbox).</param>
    ICatalogWriter Writer(PipelineIdentity pipeline, bool queueVectors);

    /// <summary>An open connection, read-only if the catalog was opened so.</summary>
    DbConnection Connect();

    /// <summary>A transaction whose reads all see one committed state of the catalog.</summary>
    DbTransaction BeginSnapshot(DbConnection connection);

    /// <summary>Runs a catalog read or write, turning the database's failures into one-line messages that name the catalog.</summary>
    T Guard<T>(Func<T> action);

    /// <summary>Runs a catalog write, turning a lost connection into a one-line message (catalog.db's failures pass as they are).</summary>
    T GuardWrite<T>(Func<T> action);

    /// <summary>The error for a catalog that holds what rvs never writes (<paramref name="problem"/> says what).</summary>
    CollectionException Damaged(string problem);

    CollectionSettings ReadSettings();

    // The settings-table operations below are the same SQL on every catalog, so they are written once, here.

    /// <summary>Records the back end the collection uses from now on (only `reindex --index` and creation do this).</summary>
    void RecordBackEnd(string kind, IReadOnlyDictionary<string, string> settings) => Write(
        (connection, transaction) => CatalogQueries.WriteBackEnd(connection, transaction, kind, settings));

    /// <summary>The generation, the face count, the largest face id and the saved index's stamp, read in one snapshot.</summary>
    (long Generation, long Faces, long MaxFaceId, SavedIndexStamp? Saved) ReadState() => Guard(() =>
    {
        using var connection = Connect();
        using var transaction = BeginSnapshot(connection);
        var all = CatalogQueries.ReadAll(connection, transaction);
        var faces = CatalogQueries.CountFaces(connection, transaction);
        var maxFaceId = CatalogQueries.MaxFaceId(connection, transaction);
        transaction.Commit();
        return (long.Parse(all[CatalogSchema.KeyGeneration], CultureInfo.InvariantCulture), faces, maxFaceId, CatalogQueries.Stamp(all));
    });

    /// <summary>The catalog's generation now: one indexed read, cheap enough to ask before every search.</summary>
    long ReadGeneration() => Guard(() =>
    {
        using var connection = Connect();
        return CatalogQueries.ReadGeneration(connection, null);
    });

    /// <summary>Records the saved index's stamp and checksum together, in one transaction.</summary>
    void WriteStamp(SavedIndexStamp stamp) => Write((connection, transaction) => CatalogQueries.WriteStamp(connection, transaction, stamp));

    long CountFaces() => Guard(() =>
    {
        using var connection = Connect();
        return CatalogQueries.CountFaces(connection, null);
    });

    private void Write(Action<DbConnection, DbTransaction> write) => Guard(() =>
    {
        using var connection = Connect();
        using var transaction = connection.BeginTransaction();
        write(connection, transaction);
        transaction.Commit();
        return true;
    });

    /// <summary>The bytes the catalog takes where it is stored (`rvs stats`).</summary>
    long SizeOnDiskBytes();

    /// <summary>
    /// The queue through which a vector store every process shares (garnet) follows this catalog, or null where one
    /// process owns the collection (catalog.db), which rebuilds such a store itself when its stamp does not match.
    /// </summary>
    PostgreSql.VectorOutbox? Outbox => null;

    /// <summary>Whether <paramref name="backEnd"/>'s store is one every process shares and this catalog keeps in step through <see cref="Outbox"/>.</summary>
    bool KeepsInStep(Index.IVectorBackEnd backEnd) => Outbox is not null && backEnd.IsShared;
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
