using System.Globalization;

namespace Rvs.Models.TfLite;

public sealed record TfLiteTensor(int Index, string Name, int[] Shape, TfLiteTensorType Type, ReadOnlyMemory<byte> Data)
{
    public bool IsConstant => !Data.IsEmpty;

    public int Rank => Shape.Length;

    public float[] FloatData() => Type == TfLiteTensorType.Float32
        ? Data.Span.ToFloats()
        : throw new NotSupportedException($"Tensor '{Name}' is {Type}; only float32 weights are supported.");

    public long[] IntegerData() => Type switch
    {
        TfLiteTensorType.Int32 => Array.ConvertAll(Data.Span.ToInts(), v => (long)v),
        TfLiteTensorType.Int64 => Data.Span.ToLongs(),
        _ => throw new NotSupportedException($"Tensor '{Name}' is {Type}; expected int32 or int64."),
    };
}

/// <summary>The union of the options the supported operators carry; fields an operator lacks keep their defaults.</summary>
public sealed record TfLiteOperatorOptions
{
    public TfLitePadding Padding { get; init; }
    public int StrideH { get; init; } = 1;
    public int StrideW { get; init; } = 1;
    public int DilationH { get; init; } = 1;
    public int DilationW { get; init; } = 1;
    public int DepthMultiplier { get; init; } = 1;
    public int FilterH { get; init; } = 1;
    public int FilterW { get; init; } = 1;
    public TfLiteActivation FusedActivation { get; init; }
    public bool KeepDims { get; init; }
    public bool KeepNumDims { get; init; }
    public int[]? NewShape { get; init; }
}

public sealed record TfLiteOperator(int BuiltinCode, string? CustomCode, int[] Inputs, int[] Outputs, TfLiteOperatorOptions Options)
{
    public TfLiteBuiltinOperator Kind => (TfLiteBuiltinOperator)BuiltinCode;

    public string DisplayName => CustomCode is not null
        ? $"CUSTOM '{CustomCode}'"
        : Enum.IsDefined(Kind) ? $"{Kind} (builtin code {BuiltinCode})" : $"builtin code {BuiltinCode.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>The first subgraph of a TFLite model, decoded into plain records.</summary>
public sealed class TfLiteGraph
{
    private TfLiteGraph(IReadOnlyList<TfLiteTensor> tensors, IReadOnlyList<TfLiteOperator> operators, int[] inputs, int[] outputs)
    {
        Tensors = tensors;
        Operators = operators;
        Inputs = inputs;
        Outputs = outputs;
    }

    public IReadOnlyList<TfLiteTensor> Tensors { get; }
    public IReadOnlyList<TfLiteOperator> Operators { get; }
    public int[] Inputs { get; }
    public int[] Outputs { get; }

    public static TfLiteGraph Parse(byte[] tflite)
    {
        ArgumentNullException.ThrowIfNull(tflite);
        if (tflite.Length < 8 || tflite[4] != (byte)'T' || tflite[5] != (byte)'F' || tflite[6] != (byte)'L' || tflite[7] != (byte)'3')
        {
            throw new InvalidDataException("Not a TFLite model: the flatbuffer identifier 'TFL3' is missing.");
        }

        var model = new ModelTable(FlatTable.Root(tflite));
        if (model.SubGraphCount != 1)
        {
            throw new NotSupportedException($"The model has {model.SubGraphCount} subgraphs; only single-subgraph models are supported.");
        }

        var codes = new (int Builtin, string? Custom)[model.OperatorCodeCount];
        for (var i = 0; i < codes.Length; i++)
        {
            var code = model.OperatorCode(i);
            // Schema 3a moved builtin codes above 127 into a new int32 field; older writers only fill the int8 one.
            codes[i] = (Math.Max(code.DeprecatedBuiltinCode, code.BuiltinCode), code.CustomCode);
        }

        var subGraph = model.SubGraph(0);
        var tensors = new TfLiteTensor[subGraph.TensorCount];
        for (var i = 0; i < tensors.Length; i++)
        {
            var tensor = subGraph.Tensor(i);
            var name = tensor.Name ?? $"tensor_{i}";
            if (tensor.HasQuantization && (TfLiteTensorType)tensor.Type is not (TfLiteTensorType.Float32 or TfLiteTensorType.Int32 or TfLiteTensorType.Int64))
            {
                throw new NotSupportedException($"Tensor '{name}' is quantized; only float32 models are supported.");
            }

            tensors[i] = new TfLiteTensor(i, name, tensor.Shape, (TfLiteTensorType)tensor.Type, BufferData(model, tensor.Buffer, tflite));
        }

        var operators = new TfLiteOperator[subGraph.OperatorCount];
        for (var i = 0; i < operators.Length; i++)
        {
            var op = subGraph.Operator(i);
            var (builtin, custom) = codes[op.OpcodeIndex];
            operators[i] = new TfLiteOperator(builtin, custom, op.Inputs, op.Outputs, ReadOptions((TfLiteBuiltinOperator)builtin, op.BuiltinOptions));
        }

        return new TfLiteGraph(tensors, operators, subGraph.Inputs, subGraph.Outputs);
    }

    private static ReadOnlyMemory<byte> BufferData(ModelTable model, uint index, byte[] file)
    {
        // Buffer 0 is the schema's reserved empty buffer.
        if (index == 0 || index >= model.BufferCount)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        var buffer = model.Buffer((int)index);
        if (buffer.Offset > 1)
        {
            return file.AsMemory(checked((int)buffer.Offset), checked((int)buffer.Size));
        }

        return buffer.Data;
    }

    private static TfLiteOperatorOptions ReadOptions(TfLiteBuiltinOperator kind, FlatTable options)
    {
        if (!options.IsPresent)
        {
            return new TfLiteOperatorOptions();
        }

        switch (kind)
        {
            case TfLiteBuiltinOperator.Conv2D:
                var conv = new Conv2DOptionsTable(options);
                return new TfLiteOperatorOptions
                {
                    Padding = conv.Padding, StrideH = conv.StrideH, StrideW = conv.StrideW,
                    DilationH = conv.DilationH, DilationW = conv.DilationW, FusedActivation = conv.FusedActivation,
                };
            case TfLiteBuiltinOperator.DepthwiseConv2D:
                var depthwise = new DepthwiseConv2DOptionsTable(options);
                return new TfLiteOperatorOptions
                {
                    Padding = depthwise.Padding, StrideH = depthwise.StrideH, StrideW = depthwise.StrideW,
                    DilationH = depthwise.DilationH, DilationW = depthwise.DilationW,
                    DepthMultiplier = depthwise.DepthMultiplier, FusedActivation = depthwise.FusedActivation,
                };
            case TfLiteBuiltinOperator.MaxPool2D or TfLiteBuiltinOperator.AveragePool2D:
                var pool = new Pool2DOptionsTable(options);
                return new TfLiteOperatorOptions
                {
                    Padding = pool.Padding, StrideH = pool.StrideH, StrideW = pool.StrideW,
                    FilterH = pool.FilterHeight, FilterW = pool.FilterWidth, FusedActivation = pool.FusedActivation,
                };
            case TfLiteBuiltinOperator.FullyConnected:
                var fullyConnected = new FullyConnectedOptionsTable(options);
                if (fullyConnected.WeightsFormat != 0)
                {
                    throw new NotSupportedException("FULLY_CONNECTED with shuffled weights is not supported.");
                }

                return new TfLiteOperatorOptions { FusedActivation = fullyConnected.FusedActivation, KeepNumDims = fullyConnected.KeepNumDims };
            case TfLiteBuiltinOperator.Add or TfLiteBuiltinOperator.Sub or TfLiteBuiltinOperator.Mul or TfLiteBuiltinOperator.Div:
                return new TfLiteOperatorOptions { FusedActivation = new ArithmeticOptionsTable(options).FusedActivation };
            case TfLiteBuiltinOperator.Reshape:
                return new TfLiteOperatorOptions { NewShape = new ReshapeOptionsTable(options).NewShape };
            case TfLiteBuiltinOperator.Sum or TfLiteBuiltinOperator.ReduceMax or TfLiteBuiltinOperator.Mean:
                return new TfLiteOperatorOptions { KeepDims = new ReducerOptionsTable(options).KeepDims };
            default:
                return new TfLiteOperatorOptions();
        }
    }
}
