using System.Globalization;

namespace Rvs.Index;

/// <summary>
/// The HNSW graph (USearch), saved beside the catalog as index.usearch (plus its attributes file), because building
/// the graph costs far more than loading it.
/// </summary>
public sealed class HnswBackEnd(HnswOptions? options = null) : IVectorBackEnd
{
    public const string KindName = "hnsw";

    /// <summary>The graph's file in a collection directory.</summary>
    public const string FileName = "index.usearch";

    private const string KeyConnectivity = "hnsw.connectivity";
    private const string KeyExpansionAdd = "hnsw.expansion_add";
    private const string KeyExpansionSearch = "hnsw.expansion_search";
    private const string KeyStorage = "hnsw.storage";
    private const string KeyRerank = "hnsw.rerank_candidates";

    public HnswOptions Options { get; } = options ?? new HnswOptions();

    public string Kind => KindName;

    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [KeyConnectivity] = Options.Connectivity.ToString(CultureInfo.InvariantCulture),
        [KeyExpansionAdd] = Options.ExpansionAdd.ToString(CultureInfo.InvariantCulture),
        [KeyExpansionSearch] = Options.ExpansionSearch.ToString(CultureInfo.InvariantCulture),
        [KeyStorage] = HnswStorages.Name(Options.Storage),
        [KeyRerank] = Options.RerankCandidates.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// The back end recorded in <paramref name="settings"/>; missing keys take the defaults measured for a collection
    /// of <paramref name="faces"/> faces (<see cref="HnswOptions.ForCollectionSize"/>). Settings recorded before
    /// quantisation existed name no storage: their saved graph holds float32.
    /// </summary>
    public static HnswBackEnd FromSettings(IReadOnlyDictionary<string, string> settings, long faces = 0)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var defaults = HnswOptions.ForCollectionSize(faces);
        if (settings.ContainsKey(KeyConnectivity) && !settings.ContainsKey(KeyStorage))
        {
            defaults = defaults with { Storage = HnswStorage.Float32 };
        }

        int Read(string key, int fallback) =>
            settings.TryGetValue(key, out var text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;
        return new HnswBackEnd(defaults with
        {
            Connectivity = Read(KeyConnectivity, defaults.Connectivity),
            ExpansionAdd = Read(KeyExpansionAdd, defaults.ExpansionAdd),
            ExpansionSearch = Read(KeyExpansionSearch, defaults.ExpansionSearch),
            Storage = settings.TryGetValue(KeyStorage, out var storage) ? HnswStorages.Parse(storage) : defaults.Storage,
            RerankCandidates = Read(KeyRerank, defaults.RerankCandidates),
        });
    }

    public IVectorIndex Create(int dimensions, long expectedCount) => new HnswVectorIndex(dimensions, Options);

    public bool Save(IVectorIndex index, string directory)
    {
        ArgumentNullException.ThrowIfNull(index);
        ((HnswVectorIndex)index).Save(Path.Combine(directory, FileName));
        return true;
    }

    public IReadOnlyList<string> SavedFiles(string directory)
    {
        var graph = Path.Combine(directory, FileName);
        // Only a quantised graph has float32 copies; listing their file for float32 ones too would change the
        // checksum of every index saved before quantisation existed and rebuild it for nothing.
        return Options.Storage == HnswStorage.Float32
            ? [graph, HnswVectorIndex.AttributesPath(graph)]
            : [graph, HnswVectorIndex.AttributesPath(graph), HnswVectorIndex.ExactRowsPath(graph)];
    }

    public IVectorIndex? Load(string directory, int dimensions)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var loaded = HnswVectorIndex.Load(path, Options);
            if (loaded.Dimensions == dimensions)
            {
                return loaded;
            }

            loaded.Dispose();
            return null;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or ArgumentException or System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
