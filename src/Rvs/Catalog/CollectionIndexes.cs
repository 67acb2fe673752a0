using System.Globalization;
using Rvs.Index;

namespace Rvs.Catalog;

/// <summary>
/// Wires the vector back ends into a collection: which one ("auto" resolves by the collection's size), how it is
/// saved beside the catalog (HNSW graphs are; an exact matrix rebuilds from the catalog faster than it loads),
/// and which parameters are recorded in the collection's settings.
/// </summary>
public static class CollectionIndexes
{
    /// <param name="directory">The collection directory (it may not exist yet).</param>
    /// <param name="kind">"auto", "exact" or "hnsw"; null keeps the kind stored in the collection (default auto).</param>
    public static CollectionOptions For(string directory, string? kind = null, HnswOptions? hnsw = null)
    {
        var exists = FaceCollection.Exists(directory);
        var stored = exists ? FaceCollection.ReadSettings(directory) : null;
        var requested = kind ?? stored?.IndexKind ?? VectorIndexFactory.Auto;
        var faces = exists ? FaceCollection.CountFaces(directory) : 0;
        var resolved = VectorIndexFactory.ResolveKind(requested, faces);
        hnsw ??= HnswFrom(stored?.IndexParameters) ?? new HnswOptions();

        return resolved == VectorIndexFactory.Hnsw
            ? new CollectionOptions
            {
                CreateIndex = dimensions => new HnswVectorIndex(dimensions, hnsw),
                LoadIndex = (path, _) => HnswVectorIndex.Load(path, hnsw),
                SaveIndex = (index, path) => ((HnswVectorIndex)index).Save(path),
                IndexKind = kind,
                IndexParameters = Parameters(hnsw),
            }
            : new CollectionOptions
            {
                CreateIndex = dimensions => new ExactVectorIndex(dimensions, (int)Math.Min(faces + 1024, int.MaxValue / dimensions)),
                IndexKind = kind,
            };
    }

    private static Dictionary<string, string> Parameters(HnswOptions hnsw) => new(StringComparer.Ordinal)
    {
        ["hnsw.connectivity"] = hnsw.Connectivity.ToString(CultureInfo.InvariantCulture),
        ["hnsw.expansion_add"] = hnsw.ExpansionAdd.ToString(CultureInfo.InvariantCulture),
        ["hnsw.expansion_search"] = hnsw.ExpansionSearch.ToString(CultureInfo.InvariantCulture),
    };

    private static HnswOptions? HnswFrom(IReadOnlyDictionary<string, string>? parameters)
    {
        if (parameters is null || !parameters.TryGetValue("hnsw.connectivity", out var m))
        {
            return null;
        }

        var defaults = new HnswOptions();
        return defaults with
        {
            Connectivity = int.Parse(m, CultureInfo.InvariantCulture),
            ExpansionAdd = parameters.TryGetValue("hnsw.expansion_add", out var add) ? int.Parse(add, CultureInfo.InvariantCulture) : defaults.ExpansionAdd,
            ExpansionSearch = parameters.TryGetValue("hnsw.expansion_search", out var search) ? int.Parse(search, CultureInfo.InvariantCulture) : defaults.ExpansionSearch,
        };
    }
}
