using System.Reflection;
using System.Runtime.InteropServices;
using Cloud.Unum.USearch;

namespace Rvs.Index;

/// <summary>
/// The native side of <see cref="HnswVectorIndex"/>: the handle taken from the managed wrapper, the exports of the
/// USearch C library called with it, and the translation of its error strings into exceptions.
/// </summary>
public sealed partial class HnswVectorIndex
{
    private const string NativeLibrary = "libusearch_c";

    private static readonly FieldInfo HandleField =
        typeof(USearchIndex).GetField("_index", BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw new InvalidOperationException("This Cloud.Unum.USearch version keeps its native handle elsewhere; HnswVectorIndex needs updating.");

    private static nint HandleOf(USearchIndex index) =>
        HandleField.GetValue(index) is nint handle && handle != 0
            ? handle
            : throw new InvalidOperationException("USearch index has no native handle.");

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
