using System.Globalization;

namespace Rvs.Index.Garnet;

/// <summary>
/// Vectors kept in a Garnet (or Redis 8) cluster. The cluster holds the data, so "loading" is connecting and "saving"
/// writes a small marker whose stamp (kept by the catalog) says the cluster held exactly the catalog's faces at that
/// moment. When the stamp does not match (a crash between the catalog commit and the cluster write, say), the sets
/// are cleared and refilled from the catalog: faces are keyed by id, so a resumed run never leaves duplicates.
/// </summary>
public sealed class GarnetBackEnd(GarnetVectorIndexOptions options) : IVectorBackEnd
{
    public const string KindName = "garnet";

    /// <summary>The set name of an index made without a collection directory to name it after.</summary>
    public const string DefaultCollection = "faces";

    /// <summary>The marker file in a collection directory.</summary>
    public const string MarkerFileName = "index.garnet";

    private const string KeyEndpoints = "garnet.endpoints";
    private const string KeyCollection = "garnet.collection";
    private const string KeyShards = "garnet.shards";
    private const string KeyM = "garnet.m";
    private const string KeyQuantization = "garnet.quantization";

    public GarnetVectorIndexOptions Options { get; } = options ?? throw new ArgumentNullException(nameof(options));

    public string Kind => KindName;

    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [KeyEndpoints] = Options.Endpoints,
        [KeyCollection] = Options.Collection ?? DefaultCollection,
        [KeyShards] = Options.Shards.ToString(CultureInfo.InvariantCulture),
        [KeyM] = Options.M.ToString(CultureInfo.InvariantCulture),
        [KeyQuantization] = Options.Quantization.ToString(),
    };

    /// <summary>
    /// The back end for the collection in <paramref name="directory"/>: a set name left unset is the directory's name,
    /// so several collections share one cluster without colliding; a name given explicitly is kept as it is.
    /// </summary>
    public static GarnetBackEnd ForCollection(string directory, GarnetVectorIndexOptions options) =>
        Named(Path.GetFileName(Path.GetFullPath(directory).TrimEnd('/')), options);

    /// <summary>The back end with its set name, unless one was given, made from <paramref name="name"/> (a shared catalog's database).</summary>
    public static GarnetBackEnd Named(string name, GarnetVectorIndexOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new GarnetBackEnd(options.Collection is null ? options with { Collection = SafeName(name) } : options);
    }

    /// <summary>The back end recorded in <paramref name="settings"/>; the endpoints are required.</summary>
    public static GarnetBackEnd FromSettings(IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.TryGetValue(KeyEndpoints, out var endpoints))
        {
            throw new ArgumentException("the garnet index needs --garnet host:port[,host:port…]");
        }

        var defaults = new GarnetVectorIndexOptions(endpoints);
        return new GarnetBackEnd(defaults with
        {
            Collection = settings.GetValueOrDefault(KeyCollection, DefaultCollection),
            Shards = settings.TryGetValue(KeyShards, out var shards) ? int.Parse(shards, CultureInfo.InvariantCulture) : defaults.Shards,
            M = settings.TryGetValue(KeyM, out var m) ? int.Parse(m, CultureInfo.InvariantCulture) : defaults.M,
            Quantization = settings.TryGetValue(KeyQuantization, out var q) ? Enum.Parse<GarnetQuantization>(q) : defaults.Quantization,
        });
    }

    public IVectorIndex Create(int dimensions, long expectedCount)
    {
        var index = new GarnetVectorIndex(Options, dimensions);
        try
        {
            index.Clear();
            return index;
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    public bool Save(IVectorIndex index, string directory)
    {
        var marker = Path.Combine(directory, MarkerFileName);
        File.WriteAllText(marker + ".tmp", $"garnet {Options.Endpoints} {Options.Collection} shards={Options.Shards}\n");
        File.Move(marker + ".tmp", marker, overwrite: true);
        return true;
    }

    public bool IsShared => true;

    public IVectorIndex Connect(int dimensions) => new GarnetVectorIndex(Options, dimensions);

    public IVectorIndex? Load(string directory, int dimensions) =>
        File.Exists(Path.Combine(directory, MarkerFileName)) ? new GarnetVectorIndex(Options, dimensions) : null;

    private static string SafeName(string name)
    {
        var safe = new string([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_')]);
        return safe.Length > 0 ? safe : DefaultCollection;
    }
}
