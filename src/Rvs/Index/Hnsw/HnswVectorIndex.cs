using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using Cloud.Unum.USearch;

namespace Rvs.Index;

/// <summary>
/// Tuning of the HNSW graph. What the defaults reach at 13k and 1M vectors is measured in docs/BENCHMARKS.md
/// (`Rvs.Bench search`); at 1M they fall short of match recall 0.98 at 20x the exact scan's speed.
/// </summary>
/// <param name="Connectivity">Neighbours per node (HNSW "M"): more means better recall, more memory, slower build.</param>
/// <param name="ExpansionAdd">Candidate list size while inserting (efConstruction): more means a better graph, slower build.</param>
/// <param name="ExpansionSearch">Candidate list size while searching (ef): more means better recall, slower queries.</param>
/// <param name="SearchThreads">Concurrent searches allowed inside the native index; 0 means one per processor.
/// Callers beyond this wait rather than fail.</param>
public sealed record HnswOptions(int Connectivity = 16, int ExpansionAdd = 128, int ExpansionSearch = 64, int SearchThreads = 0)
{
    internal int EffectiveSearchThreads => SearchThreads > 0 ? SearchThreads : Environment.ProcessorCount;
}

/// <summary>
/// Approximate index over USearch's HNSW graph. Uses the inner-product metric on unit vectors (USearch reports
/// 1 − dot) and converts to the L2 distance of <see cref="VectorHit"/> with the same formula as the exact index,
/// so both back ends report identical distances for the same neighbour.
/// The managed wrapper owns the native handle's lifetime and file I/O; hot paths and the settings the wrapper does
/// not expose (reserve, thread slots, search expansion) call the native library directly with that handle.
/// Thread-safe: searches run concurrently up to the configured thread slots, mutations are exclusive.
/// </summary>
public sealed partial class HnswVectorIndex : IVectorIndex
{
    private const string NativeLibrary = "libusearch_c";

    private static readonly FieldInfo HandleField =
        typeof(USearchIndex).GetField("_index", BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw new InvalidOperationException("This Cloud.Unum.USearch version keeps its native handle elsewhere; HnswVectorIndex needs updating.");

    private readonly USearchIndex _index;
    private readonly nint _handle;
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly SemaphoreSlim _searchSlots;
    private readonly Dictionary<long, string> _attributes = [];
    private readonly bool _readOnly;
    private bool _disposed;

    public HnswVectorIndex(int dimensions, HnswOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        Options = options ?? new HnswOptions();
        _index = new USearchIndex(MetricKind.Ip, ScalarKind.Float32, (ulong)dimensions, (ulong)Options.Connectivity,
            (ulong)Options.ExpansionAdd, (ulong)Options.ExpansionSearch, multi: false);
        _handle = HandleOf(_index);
        Dimensions = dimensions;
        _searchSlots = new SemaphoreSlim(Options.EffectiveSearchThreads);
        Reserve(1024);
    }

    private HnswVectorIndex(USearchIndex index, HnswOptions options, bool readOnly, Dictionary<long, string> attributes)
    {
        _index = index;
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

    /// <summary>Reads a saved index fully into memory; it can be searched and changed.</summary>
    public static HnswVectorIndex Load(string path, HnswOptions? options = null) => Open(path, options, view: false);

    /// <summary>Memory-maps a saved index: opens instantly and shares pages with the OS cache, but is read-only.</summary>
    public static HnswVectorIndex View(string path, HnswOptions? options = null) => Open(path, options, view: true);

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
        Span<ulong> keys = k <= 256 ? stackalloc ulong[k] : new ulong[k];
        Span<float> distances = k <= 256 ? stackalloc float[k] : new float[k];
        int found;
        _lock.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _searchSlots.Wait();
            try
            {
                unsafe
                {
                    fixed (float* q = query)
                    fixed (ulong* keysPtr = keys)
                    fixed (float* distancesPtr = distances)
                    {
                        found = (int)Native.Search(_handle, q, (int)ScalarKind.Float32, (nuint)k, keysPtr, distancesPtr, out var error);
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
                // USearch's inner-product distance is 1 − dot.
                hits[i] = new VectorHit(id, TopK.DistanceFromDot(1f - distances[i]), _attributes.GetValueOrDefault(id));
            }

            // The graph returns nearest first but does not order equal distances; the interface promises smaller id first.
            Array.Sort(hits, static (a, b) => a.Distance != b.Distance ? a.Distance.CompareTo(b.Distance) : a.Id.CompareTo(b.Id));
            return hits;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// Writes the index to <paramref name="path"/> atomically (a temporary file renamed over the target), plus
    /// attributes, if any, to "&lt;path&gt;.attributes.json".
    /// </summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _lock.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var temporary = path + ".tmp";
            _index.Save(temporary);
            var attributesPath = AttributesPath(path);
            if (_attributes.Count > 0)
            {
                File.WriteAllText(attributesPath + ".tmp", JsonSerializer.Serialize(_attributes));
                File.Move(attributesPath + ".tmp", attributesPath, overwrite: true);
            }
            else
            {
                File.Delete(attributesPath);
            }

            File.Move(temporary, path, overwrite: true);
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

    private static HnswVectorIndex Open(string path, HnswOptions? options, bool view)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No HNSW index at {path}.", path);
        }

        var attributesPath = AttributesPath(path);
        var attributes = File.Exists(attributesPath)
            ? JsonSerializer.Deserialize<Dictionary<long, string>>(File.ReadAllText(attributesPath)) ?? []
            : [];
        var index = new USearchIndex(path, view);
        try
        {
            return new HnswVectorIndex(index, options ?? new HnswOptions(), view, attributes);
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    private static string AttributesPath(string path) => path + ".attributes.json";

    private static nint HandleOf(USearchIndex index) =>
        HandleField.GetValue(index) is nint handle && handle != 0
            ? handle
            : throw new InvalidOperationException("USearch index has no native handle.");

    private static void CheckId(long id)
    {
        // USearch reserves the all-ones key (what −1 becomes as an unsigned key) to mark free slots.
        if (id == -1)
        {
            throw new ArgumentOutOfRangeException(nameof(id), "Id −1 is reserved by the HNSW index.");
        }
    }

    private void Reserve(long capacity)
    {
        Native.Reserve(_handle, (nuint)capacity, out var error);
        ThrowOnError(error);
        // Reserving resets the native thread slots to the hardware default, so they are applied again afterwards.
        ApplyThreadSlots();
    }

    private void ApplyThreadSlots()
    {
        Native.ChangeThreadsAdd(_handle, (nuint)Environment.ProcessorCount, out var error);
        ThrowOnError(error);
        Native.ChangeThreadsSearch(_handle, (nuint)Options.EffectiveSearchThreads, out error);
        ThrowOnError(error);
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_readOnly)
        {
            throw new InvalidOperationException("This HNSW index is a read-only memory-mapped view; open it with Load to change it.");
        }
    }

    private nuint Call(NativeQuery query)
    {
        var result = query(_handle, out var error);
        ThrowOnError(error);
        return result;
    }

    private bool Call(NativeKeyPredicate query, long id)
    {
        var result = query(_handle, (ulong)id, out var error);
        ThrowOnError(error);
        return result;
    }

    private nuint Call(NativeKeyQuery query, long id)
    {
        var result = query(_handle, (ulong)id, out var error);
        ThrowOnError(error);
        return result;
    }

    private static void ThrowOnError(nint error)
    {
        if (error != 0)
        {
            throw new InvalidOperationException("USearch: " + (Marshal.PtrToStringUTF8(error) ?? "unknown error"));
        }
    }

    private delegate nuint NativeQuery(nint index, out nint error);

    private delegate bool NativeKeyPredicate(nint index, ulong key, out nint error);

    private delegate nuint NativeKeyQuery(nint index, ulong key, out nint error);

    /// <summary>Exports of the native library the wrapper package ships; signatures follow USearch's C header.</summary>
    private static unsafe partial class Native
    {
        [LibraryImport(NativeLibrary, EntryPoint = "usearch_reserve")]
        public static partial void Reserve(nint index, nuint capacity, out nint error);

        [LibraryImport(NativeLibrary, EntryPoint = "usearch_change_threads_add")]
        public static partial void ChangeThreadsAdd(nint index, nuint threads, out nint error);

        [LibraryImport(NativeLibrary, EntryPoint = "usearch_change_threads_search")]
        public static partial void ChangeThreadsSearch(nint index, nuint threads, out nint error);

        [LibraryImport(NativeLibrary, EntryPoint = "usearch_change_expansion_search")]
        public static partial void ChangeExpansionSearch(nint index, nuint expansion, out nint error);

        [LibraryImport(NativeLibrary, EntryPoint = "usearch_size")]
        public static partial nuint Size(nint index, out nint error);

        [LibraryImport(NativeLibrary, EntryPoint = "usearch_capacity")]
        public static partial nuint Capacity(nint index, out nint error);

        [LibraryImport(NativeLibrary, EntryPoint = "usearch_memory_usage")]
        public static partial nuint MemoryUsage(nint index, out nint error);

        [LibraryImport(NativeLibrary, EntryPoint = "usearch_contains")]
        [return: MarshalAs(UnmanagedType.U1)]
        public static partial bool Contains(nint index, ulong key, out nint error);

        [LibraryImport(NativeLibrary, EntryPoint = "usearch_remove")]
        public static partial nuint Remove(nint index, ulong key, out nint error);

        [LibraryImport(NativeLibrary, EntryPoint = "usearch_add")]
        public static partial void Add(nint index, ulong key, float* vector, int scalarKind, out nint error);

        [LibraryImport(NativeLibrary, EntryPoint = "usearch_search")]
        public static partial nuint Search(nint index, float* query, int scalarKind, nuint count, ulong* keys, float* distances, out nint error);
    }
}
