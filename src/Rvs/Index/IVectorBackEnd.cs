namespace Rvs.Index;

/// <summary>
/// One kind of vector index, with everything a collection needs to keep one: how to make it, how it is saved beside
/// the catalog and loaded back, and the settings that rebuild the same index later. Exact, HNSW and Garnet each
/// implement this and own their options, their settings' serialisation and their save format; the catalog only
/// ever talks to this interface.
/// </summary>
public interface IVectorBackEnd
{
    /// <summary>Short name, as stored in the catalog and given to --index: "exact", "hnsw", "garnet".</summary>
    string Kind { get; }

    /// <summary>
    /// What to record in the catalog so that <see cref="VectorBackEnds.FromSettings"/> makes this same back end again
    /// (keys are namespaced by kind, e.g. "hnsw.connectivity").
    /// </summary>
    IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>An empty index for vectors of <paramref name="dimensions"/> floats, sized for about <paramref name="expectedCount"/>.</summary>
    IVectorIndex Create(int dimensions, long expectedCount);

    /// <summary>
    /// Saves <paramref name="index"/> into <paramref name="directory"/> under this back end's own file names, so that a
    /// crash leaves either the old files or the new ones. Returns false when this back end saves nothing (then the
    /// index is rebuilt from the catalog at every open).
    /// </summary>
    bool Save(IVectorIndex index, string directory);

    /// <summary>
    /// Loads what <see cref="Save"/> wrote into <paramref name="directory"/>, or null when there is nothing to load or it
    /// cannot be read (a saved index is only a cache of the catalog, so a damaged one is rebuilt, never an error).
    /// </summary>
    IVectorIndex? Load(string directory, int dimensions);

    /// <summary>
    /// The files <see cref="Save"/> may write into <paramref name="directory"/> (existing or not), in a fixed order:
    /// the collection records their checksum with the saved index's stamp and loads them only while it matches.
    /// </summary>
    IReadOnlyList<string> SavedFiles(string directory) => [];

    /// <summary>
    /// Whether the vectors live on servers that every process using the collection reaches (garnet), rather than in
    /// this process. On a shared catalog such a store is filled once and then follows the catalog's changes; it is
    /// never rebuilt by a process that opens it.
    /// </summary>
    bool IsShared => false;

    /// <summary>A shared store's index as its servers hold it now, nothing cleared (only when <see cref="IsShared"/>).</summary>
    IVectorIndex Connect(int dimensions) => throw new NotSupportedException($"the {Kind} index lives in this process; there is nothing to connect to");
}
