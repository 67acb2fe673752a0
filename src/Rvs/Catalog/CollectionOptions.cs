using Rvs.Index;

namespace Rvs.Catalog;

/// <summary>How to open a collection: which vector back end this run uses, and which kinds it can rebuild.</summary>
public sealed record CollectionOptions
{
    /// <summary>
    /// The back end for this run only; null uses the one the collection recorded. A run never changes what is
    /// recorded: only creating a collection and <see cref="FaceCollection.Reindex"/> with a back end do.
    /// </summary>
    public IVectorBackEnd? BackEnd { get; init; }

    /// <summary>The kinds this process can make from recorded settings (a host using Garnet adds it here).</summary>
    public VectorBackEnds BackEnds { get; init; } = VectorBackEnds.Embedded;

    /// <summary>
    /// Open every catalog connection read-only, for a caller that only reads (search, stats): it then works on a
    /// collection this user may not write, and never changes it. A catalog that needs an upgrade is refused, saying
    /// how to upgrade it; a damaged saved index is rebuilt in memory only.
    /// </summary>
    public bool ReadOnly { get; init; }

    /// <summary>
    /// Where the collection reports what it repaired on its own (a damaged saved index rebuilt from the catalog), one
    /// line each; null writes them to stderr.
    /// </summary>
    public Action<string>? Warnings { get; init; }
}

/// <summary>The settings a collection was created with, as stored in catalog.db.</summary>
public sealed record CollectionSettings(
    int SchemaVersion,
    PipelineIdentity Pipeline,
    string Metric,
    string IndexKind,
    IReadOnlyDictionary<string, string> IndexParameters);
