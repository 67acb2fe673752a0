using Rvs.Index;

namespace Rvs.Testing;

/// <summary>
/// The reference every index is checked against: exact top-k by L2 over every row, ties broken by smaller id. It is
/// written the plainest way on purpose (no SIMD, no heap), so that it shares no code with the indexes it checks.
/// </summary>
public static class BruteForce
{
    /// <summary>The <paramref name="k"/> rows of <paramref name="data"/> nearest <paramref name="query"/> (ids = row + <paramref name="idBase"/>).</summary>
    public static (long Id, float Distance)[] Nearest(float[] data, int dimensions, ReadOnlySpan<float> query, int k, long idBase = 0)
    {
        ArgumentNullException.ThrowIfNull(data);
        var rows = data.Length / dimensions;
        var all = new (long Id, float Distance)[rows];
        for (var r = 0; r < rows; r++)
        {
            all[r] = (r + idBase, Distance(data.AsSpan(r * dimensions, dimensions), query));
        }

        Array.Sort(all, (a, b) => a.Distance != b.Distance ? a.Distance.CompareTo(b.Distance) : a.Id.CompareTo(b.Id));
        return all[..Math.Min(k, rows)];
    }

    public static float Distance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = 0f;
        for (var i = 0; i < a.Length; i++)
        {
            var d = a[i] - b[i];
            sum += d * d;
        }

        return MathF.Sqrt(sum);
    }
}

/// <summary>The brute-force reference as an index, with a trivial file format so tests can check saving and loading.</summary>
public sealed class BruteForceIndex(int dimensions) : IVectorIndex
{
    private readonly Dictionary<long, float[]> _vectors = [];

    public string Kind => BruteForceBackEnd.KindName;

    public int Dimensions { get; } = dimensions;

    public long Count => _vectors.Count;

    public void Add(IReadOnlyList<long> ids, ReadOnlySpan<float> vectors, IReadOnlyList<string?>? attributes = null)
    {
        ArgumentNullException.ThrowIfNull(ids);
        for (var i = 0; i < ids.Count; i++)
        {
            _vectors[ids[i]] = vectors.Slice(i * Dimensions, Dimensions).ToArray();
        }
    }

    public int Remove(IReadOnlyList<long> ids) => ids.Count(_vectors.Remove);

    public bool Contains(long id) => _vectors.ContainsKey(id);

    public IReadOnlyList<VectorHit> Search(ReadOnlySpan<float> query, int k)
    {
        var q = query.ToArray();
        return _vectors.Select(p => new VectorHit(p.Key, BruteForce.Distance(p.Value, q)))
            .OrderBy(h => h.Distance).ThenBy(h => h.Id).Take(k).ToList();
    }

    public void Dispose() { }

    public void Save(string path)
    {
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(_vectors.Count);
        foreach (var (id, vector) in _vectors)
        {
            writer.Write(id);
            foreach (var v in vector)
            {
                writer.Write(v);
            }
        }
    }

    public static BruteForceIndex Load(string path, int dimensions)
    {
        var index = new BruteForceIndex(dimensions);
        using var reader = new BinaryReader(File.OpenRead(path));
        var count = reader.ReadInt32();
        for (var i = 0; i < count; i++)
        {
            var id = reader.ReadInt64();
            index._vectors[id] = Enumerable.Range(0, dimensions).Select(_ => reader.ReadSingle()).ToArray();
        }

        return index;
    }
}

/// <summary>
/// A back end around <see cref="BruteForceIndex"/> that counts what the catalog asks of it (builds, loads), so tests
/// can tell a loaded index from a rebuilt one. It saves to index.usearch, like HNSW, so damage tests have a file.
/// </summary>
public sealed class BruteForceBackEnd : IVectorBackEnd
{
    public const string KindName = "brute";

    public const string FileName = "index.usearch";

    public string Kind => KindName;

    public IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public int Builds { get; private set; }

    public List<BruteForceIndex> Loaded { get; } = [];

    /// <summary>Options that open collections with this back end (and let them rebuild it from what they recorded).</summary>
    public Rvs.Catalog.CollectionOptions Options => new() { BackEnd = this, BackEnds = VectorBackEnds.Embedded.With(KindName, _ => this) };

    public IVectorIndex Create(int dimensions, long expectedCount)
    {
        Builds++;
        return new BruteForceIndex(dimensions);
    }

    public bool Save(IVectorIndex index, string directory)
    {
        var path = Path.Combine(directory, FileName);
        ((BruteForceIndex)index).Save(path + ".tmp");
        File.Move(path + ".tmp", path, overwrite: true);
        return true;
    }

    public IVectorIndex? Load(string directory, int dimensions)
    {
        var path = Path.Combine(directory, FileName);
        try
        {
            var index = BruteForceIndex.Load(path, dimensions);
            Loaded.Add(index);
            return index;
        }
        catch (Exception e) when (e is IOException or EndOfStreamException)
        {
            return null;
        }
    }
}
