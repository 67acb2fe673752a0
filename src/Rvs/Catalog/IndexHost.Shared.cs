using Rvs.Index;

namespace Rvs.Catalog;

/// <summary>
/// The index host of a shared catalog whose vectors live in a store every process reaches (garnet on PostgreSQL).
/// No process rebuilds that store on opening it, since others are using it: each change reaches it through the
/// catalog's queue (PostgreSql/VectorOutbox), applied by the writer once it commits and, should the writer die first,
/// by the next process that opens the catalog or follows its generation. Only `rvs reindex` clears and refills it.
/// </summary>
internal sealed partial class IndexHost
{
    private bool SharesStore => _database.KeepsInStep(BackEnd);

    private IVectorIndex ConnectShared()
    {
        var index = BackEnd.Connect(_dimensions);
        try
        {
            _generation = _database.ReadGeneration();
            try
            {
                _database.Outbox!.Drain(index, _dimensions);
                WarnIfStoreDiffers(index);
            }
            catch (Exception e) when (e is not (OutOfMemoryException or CollectionException))
            {
                // A store server that is down now must not stop the others answering; the queue waits for it.
                _warn($"the {BackEnd.Kind} store could not be brought up to date with the shared catalog ({e.Message}); "
                    + "what is queued is applied by the next write or catch-up");
            }

            return index;
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    // This process's own change: waits for its faces' rows if another process is applying them, so that when a write
    // returns, a search through the store finds it. A store that fails leaves the rows queued; the write stands.
    private void ApplyShared(ChangeSet change)
    {
        _lock.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _database.Outbox!.Drain(_index, _dimensions, [.. change.AddedFaceIds, .. change.RemovedFaceIds]);
        }
        finally
        {
            _lock.ExitReadLock();
        }

        InterlockedMax(change.Generation);
    }

    // Another process moved the generation: its changes are normally in the store already, but what a killed writer
    // queued is applied here.
    private bool CatchUpShared()
    {
        var stored = _database.ReadGeneration();
        if (stored == Interlocked.Read(ref _generation))
        {
            return false;
        }

        _lock.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _database.Outbox!.Drain(_index, _dimensions);
        }
        finally
        {
            _lock.ExitReadLock();
        }

        InterlockedMax(stored);
        return true;
    }

    // `rvs reindex`: clears the store (Create does) and queues every face of the catalog, then drains the queue. Going
    // through the queue keeps the order a concurrent removal needs (VectorOutbox's row locks).
    private long RefillShared(IVectorBackEnd target)
    {
        var fresh = target.Create(_dimensions, _database.CountFaces());
        Exchange(fresh, target, _database.ReadGeneration());
        _database.Outbox!.EnqueueAll();
        _database.Outbox!.Drain(fresh, _dimensions);
        return fresh.Count;
    }

    // A store that lost its data (a server restarted without its files) or kept faces the catalog dropped is not
    // repaired behind the users' backs: rebuilding it would empty every other process's answers meanwhile.
    private void WarnIfStoreDiffers(IVectorIndex index)
    {
        var held = index.Count;
        var faces = _database.CountFaces();
        if (held != faces && _database.Outbox!.Pending() == 0)
        {
            _warn($"the {BackEnd.Kind} store holds {held} faces where the shared catalog {_database.Location} has {faces} "
                + $"(unless another process is writing right now): `rvs reindex --catalog {_database.Location}` refills it");
        }
    }

    private void InterlockedMax(long generation)
    {
        long seen;
        while ((seen = Interlocked.Read(ref _generation)) < generation
               && Interlocked.CompareExchange(ref _generation, generation, seen) != seen)
        {
        }
    }
}
