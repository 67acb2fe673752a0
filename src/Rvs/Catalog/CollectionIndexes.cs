using System.Globalization;
using Rvs.Index;
using Rvs.Index.Garnet;

namespace Rvs.Catalog;

/// <summary>
/// Wires the vector back ends into a collection: which one ("auto" resolves by the collection's size), how it is
/// saved beside the catalog (HNSW graphs are; an exact matrix rebuilds from the catalog faster than it loads;
/// Garnet keeps its own data, so only a marker is saved), and which parameters are recorded in the settings.
/// </summary>
public static class CollectionIndexes
{
    public const string Garnet = "garnet";

    /// <param name="directory">The collection directory (it may not exist yet).</param>
    /// <param name="kind">"auto", "exact", "hnsw" or "garnet"; null keeps the kind stored in the collection (default auto).</param>
    /// <param name="hnsw">HNSW parameters; null keeps the stored ones (or the defaults).</param>
    /// <param name="garnet">Where the Garnet cluster is and how the collection is sharded; null keeps the stored ones.</param>
    public static CollectionOptions For(string directory, string? kind = null, HnswOptions? hnsw = null, GarnetVectorIndexOptions? garnet = null)
    {
        var exists = FaceCollection.Exists(directory);
        var stored = exists ? FaceCollection.ReadSettings(directory) : null;
        var requested = kind ?? stored?.IndexKind ?? VectorIndexFactory.Auto;
        if (requested == Garnet)
        {
            return ForGarnet(directory, kind, garnet ?? GarnetFrom(stored?.IndexParameters)
                ?? throw new ArgumentException("the garnet index needs --garnet host:port[,host:port…]"));
        }

        var faces = exists ? FaceCollection.CountFaces(directory) : 0;
        var resolved = VectorIndexFactory.ResolveKind(requested, faces);
        hnsw ??= HnswFrom(stored?.IndexParameters) ?? new HnswOptions();

        return resolved == VectorIndexFactory.Hnsw
            ? new CollectionOptions
            {
                CreateIndex = dimensions => new HnswVectorIndex(dimensions, hnsw),
                LoadIndex = (path, _) => HnswVectorIndex.Load(path, hnsw),
                SaveIndex = (index, path) => ((HnswVectorIndex)index).Save(path),
                BackEnd = VectorIndexFactory.Hnsw,
                IndexKind = kind,
                IndexParameters = Parameters(hnsw),
            }
            : new CollectionOptions
            {
                CreateIndex = dimensions => new ExactVectorIndex(dimensions, (int)Math.Min(faces + 1024, int.MaxValue / dimensions)),
                BackEnd = VectorIndexFactory.Exact,
                IndexKind = kind,
            };
    }

    /// <summary>
    /// The vectors live in the cluster, so "loading" is connecting, and "saving" writes a small marker whose stamp
    /// (kept by the catalog) says the cluster held exactly the catalog's faces at that moment. When the stamp does
    /// not match (a crash between the catalog commit and the cluster write, say), the sets are cleared and refilled
    /// from the catalog: faces are keyed by id, so a resumed run never leaves duplicates.
    /// </summary>
    private static CollectionOptions ForGarnet(string directory, string? kind, GarnetVectorIndexOptions garnet)
    {
        if (garnet.Collection == new GarnetVectorIndexOptions("x").Collection)
        {
            // Several collections share a cluster; name the sets after this one unless told otherwise.
            garnet = garnet with { Collection = SafeName(Path.GetFileName(Path.GetFullPath(directory).TrimEnd('/'))) };
        }

        return new CollectionOptions
        {
            CreateIndex = dimensions =>
            {
                var index = new GarnetVectorIndex(garnet, dimensions);
                index.Clear();
                return index;
            },
            LoadIndex = (_, dimensions) => new GarnetVectorIndex(garnet, dimensions),
            SaveIndex = (_, path) => File.WriteAllText(path, $"garnet {garnet.Endpoints} {garnet.Collection} shards={garnet.Shards}\n"),
            BackEnd = Garnet,
            IndexKind = kind,
            IndexParameters = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["garnet.endpoints"] = garnet.Endpoints,
                ["garnet.collection"] = garnet.Collection,
                ["garnet.shards"] = garnet.Shards.ToString(CultureInfo.InvariantCulture),
                ["garnet.m"] = garnet.M.ToString(CultureInfo.InvariantCulture),
                ["garnet.quantization"] = garnet.Quantization.ToString(),
            },
        };
    }

    /// <summary>The Garnet settings a collection was created with, or null if it does not use Garnet.</summary>
    public static GarnetVectorIndexOptions? StoredGarnet(string directory) =>
        FaceCollection.Exists(directory) ? GarnetFrom(FaceCollection.ReadSettings(directory).IndexParameters) : null;

    private static GarnetVectorIndexOptions? GarnetFrom(IReadOnlyDictionary<string, string>? parameters)
    {
        if (parameters is null || !parameters.TryGetValue("garnet.endpoints", out var endpoints))
        {
            return null;
        }

        var options = new GarnetVectorIndexOptions(endpoints);
        return options with
        {
            Collection = parameters.GetValueOrDefault("garnet.collection", options.Collection),
            Shards = parameters.TryGetValue("garnet.shards", out var shards) ? int.Parse(shards, CultureInfo.InvariantCulture) : options.Shards,
            M = parameters.TryGetValue("garnet.m", out var m) ? int.Parse(m, CultureInfo.InvariantCulture) : options.M,
            Quantization = parameters.TryGetValue("garnet.quantization", out var q) ? Enum.Parse<GarnetQuantization>(q) : options.Quantization,
        };
    }

    private static string SafeName(string name)
    {
        var safe = new string([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_')]);
        return safe.Length > 0 ? safe : "faces";
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
