using Cloud.Unum.USearch;

namespace Rvs.Index;

/// <summary>
/// Approximate index over USearch's HNSW graph. Uses the inner-product metric on unit vectors (USearch reports
/// 1 − dot) and converts to the L2 distance of <see cref="VectorHit"/> with the same formula as the exact index,
/// so both back ends report identical distances for the same neighbour. With quantised storage (f16, i8) the graph
/// walks on approximate distances and its candidates are re-ranked on float32 copies (<see cref="ExactRows"/>), so
/// the distances returned are still the exact ones.
/// The managed wrapper owns the native handle's lifetime and file I/O; hot paths and the settings the wrapper does
/// not expose (reserve, thread slots, search expansion) call the native library directly with that handle.
/// Thread-safe: searches run concurrently up to the configured thread slots, mutations are exclusive.
/// </summary>
public sealed partial class HnswVectorIndex : IVectorIndex
{
    private readonly USearchIndex _index;
    private readonly nint _handle;
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly SemaphoreSlim _searchSlots;
    private readonly Dictionary<long, string> _attributes = [];
    private readonly ExactRows? _exactRows;
    private readonly bool _readOnly;
    private bool _disposed;

    public HnswVectorIndex(int dimensions, HnswOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        Options = options ?? new HnswOptions();
        _index = new USearchIndex(MetricKind.Ip, ScalarKindOf(Options.Storage), (ulong)dimensions, (ulong)Options.Connectivity,
            (ulong)Options.ExpansionAdd, (ulong)Options.ExpansionSearch, multi: false);
        _exactRows = Options.Storage == HnswStorage.Float32 ? null : new ExactRows(dimensions);
        _handle = HandleOf(_index);
        Dimensions = dimensions;
        _searchSlots = new SemaphoreSlim(Options.EffectiveSearchThreads);
        Reserve(1024);
    }

    private HnswVectorIndex(USearchIndex index, HnswOptions options, bool readOnly, Dictionary<long, string> attributes, ExactRows? exactRows)
    {
        _index = index;
        _exactRows = exactRows;
        _handle = HandleOf(index);
        _readOnly = readOnly;
        _attributes = attributes;
        Dimensions = checked((int)index.Dimensions());
        var connectivity = checked((int)index.Connectivity());
        Options = options with { Connectivity = connectivity };
        if (readOnly)
        {
            // Resizing thread contexts reallocates buffers, which would detach a memory-mapped view; the view keeps
            // the native default of one slot per hardware thread, so concurrency is bounded to that instead.
            Options = Options with { SearchThreads = Environment.ProcessorCount };
        }
        else
        {
            ApplyThreadSlots();
        }

        _searchSlots = new SemaphoreSlim(Options.EffectiveSearchThreads);
        Native.ChangeExpansionSearch(_handle, (nuint)Options.ExpansionSearch, out var error);
        ThrowOnError(error);
    }

    public HnswOptions Options { get; private set; }

    public string Kind => "hnsw";

    public int Dimensions { get; }

    public long Count
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                return (long)Call(Native.Size);
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>
    /// Changes the search candidate list size (ef) of a live index, trading query speed for recall; the wrapper has
    /// no setter for it. Waits for running searches.
    /// </summary>
    public void SetExpansionSearch(int expansion)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(expansion, 1);
        _lock.EnterWriteLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Native.ChangeExpansionSearch(_handle, (nuint)expansion, out var error);
            ThrowOnError(error);
            Options = Options with { ExpansionSearch = expansion };
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Managed memory of the float32 copies a quantised graph re-ranks on; 0 for float32 storage.</summary>
    public long ExactRowsBytes
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _exactRows?.Bytes ?? 0;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Native memory of the graph and vectors as USearch accounts it.</summary>
    public long NativeMemoryBytes
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                return (long)Call(Native.MemoryUsage);
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    public void Add(IReadOnlyList<long> ids, ReadOnlySpan<float> vectors, IReadOnlyList<string?>? attributes = null)
    {
        VectorIndexGuard.CheckBatch(ids, vectors, attributes, Dimensions);
        foreach (var id in ids)
        {
            CheckId(id);
        }

        _lock.EnterWriteLock();
        try
        {
            ThrowIfUnusable();
            // USearch rejects duplicate keys, so a replacement is a remove followed by an add. The last occurrence
            // of an id within one batch wins, as it would with one call per vector.
            var latest = new Dictionary<long, int>(ids.Count);
            for (var i = 0; i < ids.Count; i++)
            {
                latest[ids[i]] = i;
            }

            foreach (var id in latest.Keys)
            {
                if (Call(Native.Contains, id))
                {
                    Call(Native.Remove, id);
                }
            }

            var size = (long)Call(Native.Size);
            var capacity = (long)Call(Native.Capacity);
            if (size + latest.Count > capacity)
            {
                // The wrapper grows one slot per add; doubling keeps a large build from reallocating per vector.
                Reserve(Math.Max(size + latest.Count, capacity * 2));
            }

            var rows = latest.Values.ToArray();
            var handle = _handle;
            var dims = Dimensions;
            unsafe
            {
                fixed (float* basePtr = vectors)
                {
                    // One insert at a time: concurrent native adds raced under CPU contention and left vectors
                    // unreachable (11 of 40 builds of 2,000 vectors then disagreed with exact search even with an
                    // exhaustive ef, against 0 of 40 sequentially). Sequential builds are about 2.4× slower on 2 cores.
                    foreach (var row in rows)
                    {
                        Native.Add(handle, (ulong)ids[row], basePtr + (long)row * dims, (int)ScalarKind.Float32, out var error);
                        ThrowOnError(error);
                        _exactRows?.Set(ids[row], vectors.Slice(row * dims, dims));
                    }
                }
            }

            foreach (var row in rows)
            {
                var attribute = attributes?[row];
                if (attribute is null)
                {
                    _attributes.Remove(ids[row]);
                }
                else
                {
                    _attributes[ids[row]] = attribute;
                }
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    public int Remove(IReadOnlyList<long> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        _lock.EnterWriteLock();
        try
        {
            ThrowIfUnusable();
            var removed = 0;
            foreach (var id in ids)
            {
                if (id == -1 || !Call(Native.Contains, id))
                {
                    continue;
                }

                removed += (int)Call(Native.Remove, id);
                _attributes.Remove(id);
                _exactRows?.Remove(id);
            }

            return removed;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    public bool Contains(long id)
    {
        if (id == -1)
        {
            return false;
        }

        _lock.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return Call(Native.Contains, id);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public IReadOnlyList<VectorHit> Search(ReadOnlySpan<float> query, int k)
    {
        VectorIndexGuard.CheckQuery(query, k, Dimensions);
        int found;
        _lock.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var candidates = _exactRows is null ? k : Options.CandidatesFor(k);
            Span<ulong> keys = candidates <= 512 ? stackalloc ulong[candidates] : new ulong[candidates];
            Span<float> distances = candidates <= 512 ? stackalloc float[candidates] : new float[candidates];
            _searchSlots.Wait();
            try
            {
                unsafe
                {
                    fixed (float* q = query)
                    fixed (ulong* keysPtr = keys)
                    fixed (float* distancesPtr = distances)
                    {
                        found = (int)Native.Search(_handle, q, (int)ScalarKind.Float32, (nuint)candidates, keysPtr, distancesPtr, out var error);
                        ThrowOnError(error);
                    }
                }
            }
            finally
            {
                _searchSlots.Release();
            }

            var hits = new VectorHit[found];
            for (var i = 0; i < found; i++)
            {
                var id = (long)keys[i];
                // USearch's inner-product distance is 1 − dot; a quantised graph's is approximate, so the dot is recomputed.
                var dot = _exactRows?.Dot(id, query) ?? 1f - distances[i];
                hits[i] = new VectorHit(id, TopK.DistanceFromDot(dot), _attributes.GetValueOrDefault(id));
            }

            // The graph returns nearest first but does not order equal distances; the interface promises smaller id first.
            Array.Sort(hits, static (a, b) => a.Distance != b.Distance ? a.Distance.CompareTo(b.Distance) : a.Id.CompareTo(b.Id));
            return found > k ? hits[..k] : hits;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _lock.EnterWriteLock();
        try
        {
            _disposed = true;
            _index.Dispose();
            _searchSlots.Dispose();
        }
        finally
        {
            _lock.ExitWriteLock();
        }

        _lock.Dispose();
    }

    private static ScalarKind ScalarKindOf(HnswStorage storage) => storage switch
    {
        HnswStorage.Float16 => ScalarKind.Float16,
        HnswStorage.Int8 => ScalarKind.Int8,
        _ => ScalarKind.Float32,
    };

    private static void CheckId(long id)
    {
        // USearch reserves the all-ones key (what −1 becomes as an unsigned key) to mark free slots.
        if (id == -1)
        {
            throw new ArgumentOutOfRangeException(nameof(id), "Id −1 is reserved by the HNSW index.");
        }
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_readOnly)
        {
            throw new InvalidOperationException("This HNSW index is a read-only memory-mapped view; open it with Load to change it.");
        }
    }
}
