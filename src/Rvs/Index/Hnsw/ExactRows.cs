using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Rvs.Index;

/// <summary>
/// The float32 vectors a quantised HNSW graph re-ranks its candidates on, by id, in fixed-size chunks (so ten million
/// 192-d rows stay within .NET's array limit); removed rows are reused. Not thread-safe: the index's lock guards it.
/// </summary>
internal sealed class ExactRows(int dimensions)
{
    private const int RowsPerChunk = 4096;
    private const int Magic = 0x52465652; // "RVFR" little-endian
    private readonly Dictionary<long, int> _rowOf = [];
    private readonly List<float[]> _chunks = [];
    private readonly Stack<int> _free = new();
    private int _rows;

    public int Count => _rowOf.Count;

    /// <summary>Managed bytes held: the rows allocated plus about 24 bytes of lookup per id.</summary>
    public long Bytes => (long)_chunks.Count * RowsPerChunk * dimensions * sizeof(float) + _rowOf.Count * 24L;

    public void Set(long id, ReadOnlySpan<float> vector)
    {
        if (!_rowOf.TryGetValue(id, out var row))
        {
            row = _free.Count > 0 ? _free.Pop() : _rows++;
            if (row / RowsPerChunk == _chunks.Count)
            {
                _chunks.Add(new float[RowsPerChunk * dimensions]);
            }

            _rowOf[id] = row;
        }

        vector.CopyTo(Row(row));
    }

    public void Remove(long id)
    {
        if (_rowOf.Remove(id, out var row))
        {
            _free.Push(row);
        }
    }

    /// <summary>The exact dot product of <paramref name="query"/> with the vector of <paramref name="id"/>.</summary>
    public float Dot(long id, ReadOnlySpan<float> query) =>
        _rowOf.TryGetValue(id, out var row)
            ? TensorPrimitives.Dot(Row(row), query)
            : throw new InvalidOperationException($"HNSW graph returned id {id}, which has no exact vector to re-rank on.");

    public void Write(string path, HnswStorage storage)
    {
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(Magic);
        writer.Write((int)storage);
        writer.Write(dimensions);
        writer.Write(_rowOf.Count);
        foreach (var (id, row) in _rowOf)
        {
            writer.Write(id);
            writer.Write(MemoryMarshal.AsBytes(Row(row)));
        }
    }

    public static (ExactRows Rows, HnswStorage Storage) Read(string path, int dimensions)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        if (reader.ReadInt32() != Magic)
        {
            throw new InvalidDataException($"{path} is not an rvs exact-vector file.");
        }

        var storage = (HnswStorage)reader.ReadInt32();
        if (reader.ReadInt32() != dimensions || !Enum.IsDefined(storage))
        {
            throw new InvalidDataException($"{path} does not match its {dimensions}-d HNSW graph.");
        }

        var count = reader.ReadInt32();
        var rows = new ExactRows(dimensions);
        var vector = new float[dimensions];
        for (var i = 0; i < count; i++)
        {
            var id = reader.ReadInt64();
            reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(vector.AsSpan()));
            rows.Set(id, vector);
        }

        return (rows, storage);
    }

    private Span<float> Row(int row) => _chunks[row / RowsPerChunk].AsSpan(row % RowsPerChunk * dimensions, dimensions);
}
