using Rvs.Index;

namespace Rvs.Catalog;

/// <summary>
/// Keeps a collection's vector index in step with its catalog: loads the saved index when its stamp matches the
/// catalog (else rebuilds it from the embeddings), applies each committed <see cref="ChangeSet"/>, and saves the index
/// stamped with the generation it holds.
/// </summary>
/// <remarks>
/// Searches take a read lock and run side by side; only applying a change or swapping in a rebuilt index takes the
/// write lock. Saving holds the read lock, so searches go on while the file is written and only writers wait.
/// The index is saved only when this run uses the back end the collection recorded: a run that picks another one
/// (`rvs similar --index exact` on an HNSW collection) keeps its index in memory and leaves the saved one alone,
/// and so does a read-only collection. The saved files are loaded only while their checksum matches the one recorded
/// with the stamp: a truncated or altered file is never handed to the back end, but rebuilt, with a warning.
/// </remarks>
internal sealed partial class IndexHost : IDisposable
{
    private readonly ICatalog _database;
    private readonly CatalogReader _reader;
    private readonly int _dimensions;
    private bool _persist;
    private readonly Action<string> _warn;
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private IVectorIndex _index;

    // The catalog generation the in-memory index reflects. Another process writing to the same catalog moves the
    // stored generation past it, and then the index must be rebuilt before it may be saved as current.
    private long _generation;
    private bool _outOfSync;

    // The largest face id in the index: while it is in sync, the faces other processes add are exactly those above it.
    private long _maxFaceId;

    // The generation stamped on the saved index, if this instance loaded or wrote it: saving again is then a no-op,
    // which matters when a run finds nothing new and the index is gigabytes.
    private long? _savedGeneration;
    private bool _disposed;

    /// <param name="persist">Whether this is the back end the collection recorded: its saved files may be loaded, and,
    /// unless the database is read-only, saved. A catalog without a directory (a shared one) saves none.</param>
    public IndexHost(ICatalog database, CatalogReader reader, int dimensions, IVectorBackEnd backEnd, bool persist, Action<string> warn)
    {
        _database = database;
        _reader = reader;
        _dimensions = dimensions;
        BackEnd = backEnd;
        _persist = persist && database.Directory is not null;
        _warn = warn;
        _index = SharesStore ? ConnectShared() : LoadOrBuild();
    }

    public IVectorBackEnd BackEnd { get; private set; }

    public string Kind => Read(index => index.Kind);

    public long Count => Read(index => index.Count);

    /// <summary>How each shard's last command went, for an index spread over servers; empty for one in this process.</summary>
    public IReadOnlyList<ShardStatus> Shards => Read(index => index is IShardedIndex sharded ? sharded.Shards : []);

    public SearchResult Search(ReadOnlySpan<float> query, int k)
    {
        _lock.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _index.SearchWithStatus(query, k);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Makes the index follow a committed catalog write.</summary>
    public void Apply(ChangeSet change)
    {
        if (SharesStore)
        {
            ApplyShared(change);
            return;
        }

        _lock.EnterWriteLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            // A catch-up that read the catalog after this write committed already holds it.
            if (change.Generation <= _generation)
            {
                return;
            }

            if (change.RemovedFaceIds.Count > 0)
            {
                _index.Remove(change.RemovedFaceIds);
            }

            if (change.AddedFaceIds.Count > 0)
            {
                _index.Add(change.AddedFaceIds, change.AddedVectors, change.AddedAttributes);
                _maxFaceId = Math.Max(_maxFaceId, change.AddedFaceIds.Max());
            }

            // Anything but the next number means another writer committed in between, and this index lacks its changes.
            if (change.Generation != _generation + 1)
            {
                _outOfSync = true;
            }

            _generation = change.Generation;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>
    /// Saves the index beside the catalog, stamped with the generation it holds, so the next open can load it instead
    /// of rebuilding. An index that missed another writer's changes is rebuilt first.
    /// </summary>
    public void Save()
    {
        if (!_persist || _database.ReadOnly || _database.Directory is not { } directory)
        {
            return;
        }

        if (Read(_ => _outOfSync))
        {
            Rebuild(null);
            return;
        }

        SavedIndexStamp? stamp = null;
        _lock.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_savedGeneration != _generation && BackEnd.Save(_index, directory))
            {
                stamp = new SavedIndexStamp(_generation, _index.Count, BackEnd.Kind, SavedIndexChecksum.Of(BackEnd.SavedFiles(directory)));
            }
        }
        finally
        {
            _lock.ExitReadLock();
        }

        if (stamp is not null)
        {
            // A crash between the file and the stamp leaves a stamp that no longer matches: the next open rebuilds.
            _database.WriteStamp(stamp);
            _lock.EnterWriteLock();
            _savedGeneration = stamp.Generation;
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Rebuilds the index from the catalog (with <paramref name="backEnd"/> when switching), swaps it in and saves it.</summary>
    public long Rebuild(IVectorBackEnd? backEnd)
    {
        var target = backEnd ?? BackEnd;
        var count = Swap(target, switching: backEnd is not null);
        Save();
        return count;
    }

    /// <summary>
    /// Brings the index up to what the catalog holds now, when another process (`rvs index`, `rvs remove`) has written
    /// to it: the faces added since are read and added, which is all an indexing run does; a removal (the counts then
    /// disagree) or an interleaved write of this process's own rebuilds it. Searches wait only while the new faces are
    /// added, not during a rebuild. Nothing is saved: the writer saves its own index. Returns whether anything changed.
    /// </summary>
    public bool CatchUp()
    {
        if (SharesStore)
        {
            return CatchUpShared();
        }

        var stored = _database.ReadGeneration();
        _lock.EnterWriteLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (stored == _generation && !_outOfSync)
            {
                return false;
            }

            if (!_outOfSync)
            {
                var snapshot = _reader.LoadSince(_index, _dimensions, _maxFaceId);
                if (snapshot.Faces == _index.Count)
                {
                    _generation = snapshot.Generation;
                    _maxFaceId = snapshot.MaxFaceId;
                    return true;
                }
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }

        Swap(BackEnd, switching: false);
        return true;
    }

    private long Swap(IVectorBackEnd target, bool switching)
    {
        if (_database.KeepsInStep(target))
        {
            return RefillShared(target);
        }

        var (fresh, snapshot) = Build(target);
        Exchange(fresh, target, snapshot.Generation, () =>
        {
            // Switching is FaceCollection.Reindex after the catalog recorded the new back end: it is the recorded one now.
            _persist |= switching && _database.Directory is not null;
            _maxFaceId = snapshot.MaxFaceId;
            _savedGeneration = null;
        });
        return fresh.Count;
    }

    // Puts a freshly built index in place of the one searched now, under the write lock, and disposes the old one.
    private void Exchange(IVectorIndex fresh, IVectorBackEnd target, long generation, Action? alsoUnderLock = null)
    {
        IVectorIndex old;
        _lock.EnterWriteLock();
        try
        {
            old = _index;
            _index = fresh;
            BackEnd = target;
            _generation = generation;
            _outOfSync = false;
            alsoUnderLock?.Invoke();
        }
        finally
        {
            _lock.ExitWriteLock();
        }

        old.Dispose();
    }

    public void Dispose()
    {
        _lock.EnterWriteLock();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _index.Dispose();
        }
        finally
        {
            _lock.ExitWriteLock();
        }

        _lock.Dispose();
    }

    private IVectorIndex LoadOrBuild()
    {
        var (generation, faces, maxFaceId, saved) = _database.ReadState();
        if (_persist && _database.Directory is { } directory && saved is not null && saved.Generation == generation && saved.Count == faces && saved.Kind == BackEnd.Kind)
        {
            var (loaded, problem) = LoadSaved(directory, saved, faces);
            if (loaded is not null)
            {
                _generation = generation;
                _maxFaceId = maxFaceId;
                _savedGeneration = generation;
                return loaded;
            }

            _warn($"the saved {BackEnd.Kind} index of {directory} {problem}; rebuilt it from the catalog's embeddings"
                + (_database.ReadOnly ? " for this run (`rvs reindex` saves a sound one)" : ""));
        }

        var (built, snapshot) = Build(BackEnd);
        _generation = snapshot.Generation;
        _maxFaceId = snapshot.MaxFaceId;
        return built;
    }

    // The saved index if its files are the ones the stamp vouches for and the back end loads them whole; else why not.
    private (IVectorIndex? Index, string? Problem) LoadSaved(string directory, SavedIndexStamp saved, long faces)
    {
        var files = BackEnd.SavedFiles(directory);
        if (files.Count > 0)
        {
            if (string.IsNullOrEmpty(saved.Checksum))
            {
                return (null, "has no recorded checksum (an older rvs saved it), so it cannot be trusted");
            }

            if (SavedIndexChecksum.Of(files) != saved.Checksum)
            {
                return (null, "does not match its recorded checksum (the file is missing, truncated or altered)");
            }
        }

        IVectorIndex? loaded;
        try
        {
            loaded = BackEnd.Load(directory, _dimensions);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A saved index is a cache of the catalog: whatever its back end throws on loading it, it is rebuilt.
            return (null, $"could not be loaded ({e.Message})");
        }

        if (loaded is null)
        {
            return (null, "could not be read");
        }

        if (loaded.Count != faces || loaded.Dimensions != _dimensions)
        {
            var held = (loaded.Count, loaded.Dimensions);
            loaded.Dispose();
            return (null, $"holds {held.Count} vectors of {held.Dimensions} dimensions where the catalog has {faces} of {_dimensions}");
        }

        return (loaded, null);
    }

    private (IVectorIndex Index, CatalogSnapshot Snapshot) Build(IVectorBackEnd backEnd)
    {
        var index = backEnd.Create(_dimensions, _database.CountFaces());
        try
        {
            if (index.Dimensions != _dimensions)
            {
                throw new CollectionException($"The {backEnd.Kind} back end made a {index.Dimensions}-dimensional index for a {_dimensions}-dimensional collection.");
            }

            return (index, _reader.LoadSince(index, _dimensions));
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    private T Read<T>(Func<IVectorIndex, T> read)
    {
        _lock.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return read(_index);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }
}
