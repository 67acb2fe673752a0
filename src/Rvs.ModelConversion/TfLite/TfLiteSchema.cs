namespace Rvs.Models.TfLite;

// Slot numbers follow the field order of TFLite's schema.fbs (version 3); a union takes two slots
// (its type tag, then its value), which is why operator options sit at slot 4.

internal readonly struct ModelTable(FlatTable table)
{
    public uint Version => table.UInt32(0);
    public int OperatorCodeCount => table.VectorLength(1);
    public OperatorCodeTable OperatorCode(int index) => new(table.TableAt(1, index));
    public int SubGraphCount => table.VectorLength(2);
    public SubGraphTable SubGraph(int index) => new(table.TableAt(2, index));
    public string? Description => table.String(3);
    public int BufferCount => table.VectorLength(4);
    public BufferTable Buffer(int index) => new(table.TableAt(4, index));
}

internal readonly struct OperatorCodeTable(FlatTable table)
{
    public sbyte DeprecatedBuiltinCode => table.Int8(0);
    public string? CustomCode => table.String(1);
    public int Version => table.Int32(2, 1);
    public int BuiltinCode => table.Int32(3);
}

internal readonly struct SubGraphTable(FlatTable table)
{
    public int TensorCount => table.VectorLength(0);
    public TensorTable Tensor(int index) => new(table.TableAt(0, index));
    public int[] Inputs => table.Int32Vector(1) ?? [];
    public int[] Outputs => table.Int32Vector(2) ?? [];
    public int OperatorCount => table.VectorLength(3);
    public OperatorTable Operator(int index) => new(table.TableAt(3, index));
    public string? Name => table.String(4);
}

internal readonly struct TensorTable(FlatTable table)
{
    public int[] Shape => table.Int32Vector(0) ?? [];
    public sbyte Type => table.Int8(1);
    public uint Buffer => table.UInt32(2);
    public string? Name => table.String(3);
    public bool HasQuantization => table.Table(4).IsPresent;
}

internal readonly struct BufferTable(FlatTable table)
{
    public ReadOnlyMemory<byte> Data => table.ByteVector(0);

    /// <summary>Models over 2 GB keep weights after the flatbuffer; offset counts from the file start.</summary>
    public ulong Offset => table.UInt64(1);
    public ulong Size => table.UInt64(2);
}

internal readonly struct OperatorTable(FlatTable table)
{
    public uint OpcodeIndex => table.UInt32(0);
    public int[] Inputs => table.Int32Vector(1) ?? [];
    public int[] Outputs => table.Int32Vector(2) ?? [];
    public byte BuiltinOptionsType => table.UInt8(3);
    public FlatTable BuiltinOptions => table.Table(4);
}

internal readonly struct Conv2DOptionsTable(FlatTable table)
{
    public TfLitePadding Padding => (TfLitePadding)table.Int8(0);
    public int StrideW => table.Int32(1);
    public int StrideH => table.Int32(2);
    public TfLiteActivation FusedActivation => (TfLiteActivation)table.Int8(3);
    public int DilationW => table.Int32(4, 1);
    public int DilationH => table.Int32(5, 1);
}

internal readonly struct DepthwiseConv2DOptionsTable(FlatTable table)
{
    public TfLitePadding Padding => (TfLitePadding)table.Int8(0);
    public int StrideW => table.Int32(1);
    public int StrideH => table.Int32(2);
    public int DepthMultiplier => table.Int32(3);
    public TfLiteActivation FusedActivation => (TfLiteActivation)table.Int8(4);
    public int DilationW => table.Int32(5, 1);
    public int DilationH => table.Int32(6, 1);
}

internal readonly struct Pool2DOptionsTable(FlatTable table)
{
    public TfLitePadding Padding => (TfLitePadding)table.Int8(0);
    public int StrideW => table.Int32(1);
    public int StrideH => table.Int32(2);
    public int FilterWidth => table.Int32(3);
    public int FilterHeight => table.Int32(4);
    public TfLiteActivation FusedActivation => (TfLiteActivation)table.Int8(5);
}

internal readonly struct FullyConnectedOptionsTable(FlatTable table)
{
    public TfLiteActivation FusedActivation => (TfLiteActivation)table.Int8(0);
    public sbyte WeightsFormat => table.Int8(1);
    public bool KeepNumDims => table.Bool(2);
}

/// <summary>AddOptions, SubOptions, MulOptions and DivOptions all start with the fused activation.</summary>
internal readonly struct ArithmeticOptionsTable(FlatTable table)
{
    public TfLiteActivation FusedActivation => (TfLiteActivation)table.Int8(0);
}

internal readonly struct ReshapeOptionsTable(FlatTable table)
{
    public int[]? NewShape => table.Int32Vector(0);
}

internal readonly struct ReducerOptionsTable(FlatTable table)
{
    public bool KeepDims => table.Bool(0);
}
