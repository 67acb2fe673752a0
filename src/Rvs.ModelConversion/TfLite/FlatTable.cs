using System.Runtime.InteropServices;
using Google.FlatBuffers;

namespace Rvs.Models.TfLite;

/// <summary>
/// Field access by schema slot over a flatbuffer table. Hand-written accessors keep the build free of
/// a flatc step; each schema table below only names its slots.
/// </summary>
internal readonly struct FlatTable
{
    private readonly Table table;

    public FlatTable(int position, ByteBuffer buffer) => table = new Table(position, buffer);

    public bool IsPresent => table.bb is not null;

    private int FieldOffset(int slot) => table.__offset(4 + (2 * slot));

    public int Int32(int slot, int defaultValue = 0)
    {
        var offset = FieldOffset(slot);
        return offset == 0 ? defaultValue : table.bb.GetInt(table.bb_pos + offset);
    }

    public uint UInt32(int slot, uint defaultValue = 0)
    {
        var offset = FieldOffset(slot);
        return offset == 0 ? defaultValue : table.bb.GetUint(table.bb_pos + offset);
    }

    public ulong UInt64(int slot, ulong defaultValue = 0)
    {
        var offset = FieldOffset(slot);
        return offset == 0 ? defaultValue : table.bb.GetUlong(table.bb_pos + offset);
    }

    public sbyte Int8(int slot, sbyte defaultValue = 0)
    {
        var offset = FieldOffset(slot);
        return offset == 0 ? defaultValue : table.bb.GetSbyte(table.bb_pos + offset);
    }

    public byte UInt8(int slot, byte defaultValue = 0)
    {
        var offset = FieldOffset(slot);
        return offset == 0 ? defaultValue : table.bb.Get(table.bb_pos + offset);
    }

    public bool Bool(int slot) => UInt8(slot) != 0;

    public string? String(int slot)
    {
        var offset = FieldOffset(slot);
        return offset == 0 ? null : table.__string(table.bb_pos + offset);
    }

    public FlatTable Table(int slot)
    {
        var offset = FieldOffset(slot);
        return offset == 0 ? default : new FlatTable(table.__indirect(table.bb_pos + offset), table.bb);
    }

    public int VectorLength(int slot)
    {
        var offset = FieldOffset(slot);
        return offset == 0 ? 0 : table.__vector_len(offset);
    }

    public FlatTable TableAt(int slot, int index)
    {
        var offset = FieldOffset(slot);
        var element = table.__vector(offset) + (index * 4);
        return new FlatTable(table.__indirect(element), table.bb);
    }

    public int[]? Int32Vector(int slot)
    {
        var offset = FieldOffset(slot);
        if (offset == 0)
        {
            return null;
        }

        var start = table.__vector(offset);
        var values = new int[table.__vector_len(offset)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = table.bb.GetInt(start + (i * 4));
        }

        return values;
    }

    public ReadOnlyMemory<byte> ByteVector(int slot)
    {
        var offset = FieldOffset(slot);
        if (offset == 0)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        var segment = table.__vector_as_arraysegment(4 + (2 * slot));
        return segment is { } bytes ? bytes.AsMemory() : ReadOnlyMemory<byte>.Empty;
    }

    public static FlatTable Root(byte[] bytes)
    {
        var buffer = new ByteBuffer(bytes);
        return new FlatTable(buffer.GetInt(0), buffer);
    }
}

internal static class ByteSpanExtensions
{
    public static float[] ToFloats(this ReadOnlySpan<byte> bytes) => MemoryMarshal.Cast<byte, float>(bytes).ToArray();

    public static int[] ToInts(this ReadOnlySpan<byte> bytes) => MemoryMarshal.Cast<byte, int>(bytes).ToArray();

    public static long[] ToLongs(this ReadOnlySpan<byte> bytes) => MemoryMarshal.Cast<byte, long>(bytes).ToArray();
}
