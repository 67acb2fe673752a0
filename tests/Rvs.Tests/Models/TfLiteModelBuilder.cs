using Google.FlatBuffers;
using Rvs.Models.TfLite;

namespace Rvs.Tests.Models;

/// <summary>Writes small single-subgraph TFLite flatbuffers so each converter rule can be tested in isolation.</summary>
internal sealed class TfLiteModelBuilder
{
    private readonly List<TensorSpec> tensors = [];
    private readonly List<OperatorSpec> operators = [];
    private readonly List<int> inputs = [];
    private readonly List<int> outputs = [];

    /// <summary>When set, operator codes go only into the int8 field, as writers before schema 3a did.</summary>
    public bool OnlyDeprecatedBuiltinCode { get; init; }

    public int Input(string name, params int[] shape)
    {
        var index = Tensor(name, shape);
        inputs.Add(index);
        return index;
    }

    public int Tensor(string name, params int[] shape)
    {
        tensors.Add(new TensorSpec(name, shape, TfLiteTensorType.Float32, null));
        return tensors.Count - 1;
    }

    public int Constant(string name, int[] shape, float[] values)
    {
        tensors.Add(new TensorSpec(name, shape, TfLiteTensorType.Float32, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray()));
        return tensors.Count - 1;
    }

    public int IntConstant(string name, int[] shape, int[] values)
    {
        tensors.Add(new TensorSpec(name, shape, TfLiteTensorType.Int32, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray()));
        return tensors.Count - 1;
    }

    public void Output(int tensor) => outputs.Add(tensor);

    public void Operator(int builtinCode, int[] operatorInputs, int[] operatorOutputs, Options? options = null) =>
        operators.Add(new OperatorSpec(builtinCode, operatorInputs, operatorOutputs, options));

    public void Operator(TfLiteBuiltinOperator builtin, int[] operatorInputs, int[] operatorOutputs, Options? options = null) =>
        Operator((int)builtin, operatorInputs, operatorOutputs, options);

    public byte[] Build()
    {
        var builder = new FlatBufferBuilder(1024);

        // Buffer 0 is the schema's reserved empty buffer; constants take 1, 2, ...
        var bufferOffsets = new List<int> { EmptyTable(builder) };
        var bufferIndexOfTensor = new uint[tensors.Count];
        for (var i = 0; i < tensors.Count; i++)
        {
            if (tensors[i].Data is { } data)
            {
                var dataVector = ByteVector(builder, data);
                builder.StartTable(1);
                builder.AddOffset(0, dataVector.Value, 0);
                bufferIndexOfTensor[i] = (uint)bufferOffsets.Count;
                bufferOffsets.Add(builder.EndTable());
            }
        }

        var tensorOffsets = new int[tensors.Count];
        for (var i = 0; i < tensors.Count; i++)
        {
            var name = builder.CreateString(tensors[i].Name);
            var shape = IntVector(builder, tensors[i].Shape);
            builder.StartTable(4);
            builder.AddOffset(0, shape.Value, 0);
            builder.AddSbyte(1, (sbyte)tensors[i].Type, 0);
            builder.AddUint(2, bufferIndexOfTensor[i], 0);
            builder.AddOffset(3, name.Value, 0);
            tensorOffsets[i] = builder.EndTable();
        }

        var codes = operators.Select(o => o.BuiltinCode).Distinct().ToList();
        var operatorOffsets = new int[operators.Count];
        for (var i = 0; i < operators.Count; i++)
        {
            var op = operators[i];
            var options = op.Options is { } spec ? spec.Write(builder) : 0;
            var operatorInputs = IntVector(builder, op.Inputs);
            var operatorOutputs = IntVector(builder, op.Outputs);
            builder.StartTable(5);
            builder.AddUint(0, (uint)codes.IndexOf(op.BuiltinCode), 0);
            builder.AddOffset(1, operatorInputs.Value, 0);
            builder.AddOffset(2, operatorOutputs.Value, 0);
            if (op.Options is { } optionsSpec)
            {
                builder.AddByte(3, optionsSpec.UnionType, 0);
                builder.AddOffset(4, options, 0);
            }

            operatorOffsets[i] = builder.EndTable();
        }

        var tensorVector = OffsetVector(builder, tensorOffsets);
        var subGraphInputs = IntVector(builder, [.. inputs]);
        var subGraphOutputs = IntVector(builder, [.. outputs]);
        var operatorVector = OffsetVector(builder, operatorOffsets);
        var subGraphName = builder.CreateString("main");
        builder.StartTable(5);
        builder.AddOffset(0, tensorVector.Value, 0);
        builder.AddOffset(1, subGraphInputs.Value, 0);
        builder.AddOffset(2, subGraphOutputs.Value, 0);
        builder.AddOffset(3, operatorVector.Value, 0);
        builder.AddOffset(4, subGraphName.Value, 0);
        var subGraph = builder.EndTable();

        var codeOffsets = codes.Select(code =>
        {
            builder.StartTable(4);
            builder.AddSbyte(0, (sbyte)Math.Min(code, 127), 0);
            builder.AddInt(2, 1, 0);
            if (!OnlyDeprecatedBuiltinCode)
            {
                builder.AddInt(3, code, 0);
            }

            return builder.EndTable();
        }).ToArray();

        var codeVector = OffsetVector(builder, codeOffsets);
        var subGraphVector = OffsetVector(builder, [subGraph]);
        var bufferVector = OffsetVector(builder, [.. bufferOffsets]);
        var description = builder.CreateString("rvs test model");
        builder.StartTable(5);
        builder.AddUint(0, 3, 0);
        builder.AddOffset(1, codeVector.Value, 0);
        builder.AddOffset(2, subGraphVector.Value, 0);
        builder.AddOffset(3, description.Value, 0);
        builder.AddOffset(4, bufferVector.Value, 0);
        var model = builder.EndTable();
        builder.Finish(model, "TFL3");
        return builder.SizedByteArray();
    }

    private static int EmptyTable(FlatBufferBuilder builder)
    {
        builder.StartTable(1);
        return builder.EndTable();
    }

    internal static VectorOffset IntVector(FlatBufferBuilder builder, int[] values)
    {
        builder.StartVector(4, values.Length, 4);
        for (var i = values.Length - 1; i >= 0; i--)
        {
            builder.AddInt(values[i]);
        }

        return builder.EndVector();
    }

    private static VectorOffset ByteVector(FlatBufferBuilder builder, byte[] values)
    {
        builder.StartVector(1, values.Length, 16);
        for (var i = values.Length - 1; i >= 0; i--)
        {
            builder.AddByte(values[i]);
        }

        return builder.EndVector();
    }

    private static VectorOffset OffsetVector(FlatBufferBuilder builder, int[] offsets)
    {
        builder.StartVector(4, offsets.Length, 4);
        for (var i = offsets.Length - 1; i >= 0; i--)
        {
            builder.AddOffset(offsets[i]);
        }

        return builder.EndVector();
    }

    private sealed record TensorSpec(string Name, int[] Shape, TfLiteTensorType Type, byte[]? Data);

    private sealed record OperatorSpec(int BuiltinCode, int[] Inputs, int[] Outputs, Options? Options);

    /// <summary>An operator's builtin options table: the union tag from schema.fbs and a writer for its fields.</summary>
    internal sealed record Options(byte UnionType, Func<FlatBufferBuilder, int> Write)
    {
        public static Options Conv2D(TfLitePadding padding, int strideH = 1, int strideW = 1, TfLiteActivation activation = TfLiteActivation.None, int dilationH = 1, int dilationW = 1) =>
            new(1, b =>
            {
                b.StartTable(6);
                b.AddSbyte(0, (sbyte)padding, 0);
                b.AddInt(1, strideW, 0);
                b.AddInt(2, strideH, 0);
                b.AddSbyte(3, (sbyte)activation, 0);
                b.AddInt(4, dilationW, 1);
                b.AddInt(5, dilationH, 1);
                return b.EndTable();
            });

        public static Options DepthwiseConv2D(TfLitePadding padding, int depthMultiplier, int strideH = 1, int strideW = 1, TfLiteActivation activation = TfLiteActivation.None) =>
            new(2, b =>
            {
                b.StartTable(7);
                b.AddSbyte(0, (sbyte)padding, 0);
                b.AddInt(1, strideW, 0);
                b.AddInt(2, strideH, 0);
                b.AddInt(3, depthMultiplier, 0);
                b.AddSbyte(4, (sbyte)activation, 0);
                return b.EndTable();
            });

        public static Options Pool2D(TfLitePadding padding, int filterH, int filterW, int strideH, int strideW) =>
            new(5, b =>
            {
                b.StartTable(6);
                b.AddSbyte(0, (sbyte)padding, 0);
                b.AddInt(1, strideW, 0);
                b.AddInt(2, strideH, 0);
                b.AddInt(3, filterW, 0);
                b.AddInt(4, filterH, 0);
                return b.EndTable();
            });

        public static Options FullyConnected(TfLiteActivation activation = TfLiteActivation.None) =>
            new(8, b =>
            {
                b.StartTable(3);
                b.AddSbyte(0, (sbyte)activation, 0);
                return b.EndTable();
            });

        public static Options Arithmetic(TfLiteBuiltinOperator builtin, TfLiteActivation activation = TfLiteActivation.None) =>
            new(builtin switch
            {
                TfLiteBuiltinOperator.Add => 11,
                TfLiteBuiltinOperator.Mul => 21,
                TfLiteBuiltinOperator.Sub => 28,
                TfLiteBuiltinOperator.Div => 29,
                _ => throw new ArgumentOutOfRangeException(nameof(builtin)),
            }, b =>
            {
                b.StartTable(1);
                b.AddSbyte(0, (sbyte)activation, 0);
                return b.EndTable();
            });

        public static Options Reshape(int[] newShape) =>
            new(17, b =>
            {
                var vector = IntVector(b, newShape);
                b.StartTable(1);
                b.AddOffset(0, vector.Value, 0);
                return b.EndTable();
            });

        public static Options Reducer(bool keepDims) =>
            new(27, b =>
            {
                b.StartTable(1);
                b.AddBool(0, keepDims, false);
                return b.EndTable();
            });
    }
}
