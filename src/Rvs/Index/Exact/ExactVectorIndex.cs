using System.Numerics.Tensors;

namespace Rvs.Index;

/// <summary>
/// Brute-force index: every query is compared with every stored vector, so results are exact. Rows live in one
/// contiguous float matrix so the scan streams through memory; removal swaps the last row into the hole to keep
/// it dense. Not persisted: it is rebuilt from the catalog, which is fast at the sizes where it is chosen.
/// Thread-safe: searches run concurrently, mutations are exclusive.
/// </summary>
public sealed class ExactVectorIndex : IVectorIndex
{
    /// <summary>Below this many rows one thread finishes before a parallel fan-out would pay for itself.</summary>
    public const int DefaultParallelThreshold = 50_000;

    private const int MinRowsPerBlock = 4_096;

    private readonly Dictionary<long, int> _rowOf = [];
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly int _parallelThreshold;
    private float[] _matrix;
    private long[] _ids;
    private string?[] _attributes;
    private int _count;
    private bool _disposed;

    public ExactVectorIndex(int dimensions, int initialCapacity = 1024, int parallelThreshold = DefaultParallelThreshold)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(initialCapacity);
        Dimensions = dimensions;
        _parallelThreshold = parallelThreshold;
        initialCapacity = Math.Max(initialCapacity, 16);
        _matrix = new float[(long)initialCapacity * dimensions];
        _ids = new long[initialCapacity];
        _attributes = new string?[initialCapacity];
    }

    public string Kind => "exact";

    public int Dimensions { get; }

    public long Count
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Bytes held by the matrix and row bookkeeping (approximate: the id map is estimated).</summary>
    public long MemoryBytes => (long)_matrix.Length * sizeof(float) + (long)_ids.Length * (sizeof(long) + IntPtr.Size)
                               + (long)_rowOf.Count * 24;

    public void Add(IReadOnlyList<long> ids, ReadOnlySpan<float> vectors, IReadOnlyList<string?>? attributes = null)
    {
        VectorIndexGuard.CheckBatch(ids, vectors, attributes, Dimensions);
        _lock.EnterWriteLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            EnsureCapacity(_count + ids.Count);
            for (var i = 0; i < ids.Count; i++)
            {
                var id = ids[i];
                if (!_rowOf.TryGetValue(id, out var row))
                {
                    row = _count++;
                    _rowOf[id] = row;
                    _ids[row] = id;
                }

                vectors.Slice(i * Dimensions, Dimensions).CopyTo(_matrix.AsSpan(row * Dimensions, Dimensions));
                _attributes[row] = attributes?[i];
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
            ObjectDisposedException.ThrowIf(_disposed, this);
            var removed = 0;
            foreach (var id in ids)
            {
                if (!_rowOf.Remove(id, out var row))
                {
                    continue;
                }

                var last = --_count;
                if (row != last)
                {
                    _matrix.AsSpan(last * Dimensions, Dimensions).CopyTo(_matrix.AsSpan(row * Dimensions, Dimensions));
                    _ids[row] = _ids[last];
                    _attributes[row] = _attributes[last];
                    _rowOf[_ids[row]] = row;
                }

                // Drop the reference so a removed face's attributes can be collected.
                _attributes[last] = null;
                removed++;
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
        _lock.EnterReadLock();
        try
        {
            return _rowOf.ContainsKey(id);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public IReadOnlyList<VectorHit> Search(ReadOnlySpan<float> query, int k)
    {
        VectorIndexGuard.CheckQuery(query, k, Dimensions);
        _lock.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_count == 0)
            {
                return [];
            }

            var top = new TopK(Math.Min(k, _count));
            if (_count < _parallelThreshold || Environment.ProcessorCount == 1)
            {
                Scan(query, 0, _count, top);
            }
            else
            {
                ScanParallel(query.ToArray(), top);
            }

            var attributes = _attributes;
            var rowOf = _rowOf;
            return top.ToHits(id => attributes[rowOf[id]]);
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
            _matrix = [];
            _ids = [];
            _attributes = [];
            _rowOf.Clear();
            _count = 0;
        }
        finally
        {
            _lock.ExitWriteLock();
        }

        _lock.Dispose();
    }

    private void Scan(ReadOnlySpan<float> query, int fromRow, int toRow, TopK top)
    {
        var dims = Dimensions;
        var matrix = _matrix.AsSpan();
        var ids = _ids;
        for (var row = fromRow; row < toRow; row++)
        {
            var dot = TensorPrimitives.Dot(matrix.Slice(row * dims, dims), query);
            // >= rather than > so an equal dot with a smaller id can still displace the current worst.
            if (dot >= top.Threshold)
            {
                top.Offer(ids[row], dot);
            }
        }
    }

    private void ScanParallel(float[] query, TopK result)
    {
        var blockRows = Math.Max(MinRowsPerBlock, _count / (Environment.ProcessorCount * 4) + 1);
        var blocks = (_count + blockRows - 1) / blockRows;
        var gate = new object();
        Parallel.For(
            0,
            blocks,
            () => new TopK(result.Capacity),
            (block, _, local) =>
            {
                var from = block * blockRows;
                Scan(query, from, Math.Min(from + blockRows, _count), local);
                return local;
            },
            local =>
            {
                lock (gate)
                {
                    result.MergeFrom(local);
                }
            });
    }

    private void EnsureCapacity(int rows)
    {
        if (rows <= _ids.Length)
        {
            return;
        }

        var capacity = Math.Max(rows, _ids.Length * 2);
        Array.Resize(ref _matrix, checked(capacity * Dimensions));
        Array.Resize(ref _ids, capacity);
        Array.Resize(ref _attributes, capacity);
    }
}
