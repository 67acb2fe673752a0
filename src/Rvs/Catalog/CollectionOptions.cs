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
}

/// <summary>The settings a collection was created with, as stored in catalog.db.</summary>
public sealed record CollectionSettings(
    int SchemaVersion,
    PipelineIdentity Pipeline,
    string Metric,
    string IndexKind,
    IReadOnlyDictionary<string, string> IndexParameters);
