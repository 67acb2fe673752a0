using System.Globalization;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using Rvs.Models.TfLite;

namespace Rvs.Models.Conversion;

/// <summary>
/// Walks the TFLite operators in order and emits ONNX nodes. Every TFLite tensor may exist in two forms:
/// its natural TFLite layout (named exactly like the TFLite tensor, so graph inputs and outputs keep their
/// names) and, for rank-4 tensors, an NCHW copy. Each form is made on first use, so a transpose only
/// appears where a layout change is really needed.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private static readonly long[] NhwcToNchw = [0, 3, 1, 2];
    private static readonly long[] NchwToNhwc = [0, 2, 3, 1];

    private readonly TfLiteGraph source;
    private readonly TfLiteToOnnxOptions options;
    private readonly GraphProto graph = new() { Name = "tflite" };
    private readonly Dictionary<int, string> naturalForm = [];
    private readonly Dictionary<int, string> nchwForm = [];
    private readonly HashSet<string> usedNames = new(StringComparer.Ordinal);

    public OnnxGraphBuilder(TfLiteGraph source, TfLiteToOnnxOptions options)
    {
        this.source = source;
        this.options = options;
        foreach (var tensor in source.Tensors)
        {
            // Reserve every TFLite name up front so helper values never take a name a later tensor needs.
            usedNames.Add(tensor.Name);
        }
    }

    private bool SpatialSizeIsStatic => !options.SymbolicSpatialSize;

    public GraphProto Build()
    {
        foreach (var input in source.Inputs)
        {
            var tensor = source.Tensors[input];
            RequireFloat(tensor);
            graph.Input.Add(ValueInfo(tensor.Name, InputDimensions(tensor)));
            naturalForm[input] = tensor.Name;
        }

        foreach (var op in source.Operators)
        {
            ConvertOperator(op);
        }

        foreach (var output in source.Outputs)
        {
            var tensor = source.Tensors[output];
            if (Natural(output) != tensor.Name)
            {
                throw new InvalidOperationException($"Output '{tensor.Name}' lost its name during conversion.");
            }

            graph.Output.Add(ValueInfo(tensor.Name, OutputDimensions(tensor)));
        }

        return graph;
    }

    private void ConvertOperator(TfLiteOperator op)
    {
        if (op.CustomCode is not null)
        {
            throw Unsupported(op);
        }

        switch (op.Kind)
        {
            case TfLiteBuiltinOperator.Conv2D:
                ConvertConvolution(op, depthwise: false);
                break;
            case TfLiteBuiltinOperator.DepthwiseConv2D:
                ConvertConvolution(op, depthwise: true);
                break;
            case TfLiteBuiltinOperator.MaxPool2D:
                ConvertMaxPool(op);
                break;
            case TfLiteBuiltinOperator.FullyConnected:
                ConvertFullyConnected(op);
                break;
            case TfLiteBuiltinOperator.Add:
                ConvertBinary(op, "Add");
                break;
            case TfLiteBuiltinOperator.Sub:
                ConvertBinary(op, "Sub");
                break;
            case TfLiteBuiltinOperator.Mul:
                ConvertBinary(op, "Mul");
                break;
            case TfLiteBuiltinOperator.Div:
                ConvertBinary(op, "Div");
                break;
            case TfLiteBuiltinOperator.Neg:
                ConvertUnary(op, "Neg");
                break;
            case TfLiteBuiltinOperator.Abs:
                ConvertUnary(op, "Abs");
                break;
            case TfLiteBuiltinOperator.Relu:
                ConvertUnary(op, "Relu");
                break;
            case TfLiteBuiltinOperator.Exp:
                ConvertUnary(op, "Exp");
                break;
            case TfLiteBuiltinOperator.Sum:
                ConvertReduction(op, "ReduceSum");
                break;
            case TfLiteBuiltinOperator.ReduceMax:
                ConvertReduction(op, "ReduceMax");
                break;
            case TfLiteBuiltinOperator.Reshape:
                ConvertReshape(op);
                break;
            default:
                throw Unsupported(op);
        }
    }

    private static NotSupportedException Unsupported(TfLiteOperator op) =>
        new($"TFLite operator {op.DisplayName} is not supported by the TFLite to ONNX converter.");

    private void ConvertConvolution(TfLiteOperator op, bool depthwise)
    {
        var input = source.Tensors[op.Inputs[0]];
        var weights = source.Tensors[op.Inputs[1]];
        var output = source.Tensors[op.Outputs[0]];
        RequireRank(input, 4, op);
        RequireConstant(weights, op);

        var inputChannels = input.Shape[3];
        var outputChannels = weights.Shape[0];
        var kernelH = weights.Shape[1];
        var kernelW = weights.Shape[2];
        float[] onnxWeights;
        long[] onnxWeightShape;
        long group;
        if (depthwise)
        {
            // TFLite stores depthwise filters as [1, kh, kw, channels * multiplier]; ONNX wants a grouped
            // convolution whose output channel o reads input channel o / multiplier, which is the same order.
            outputChannels = weights.Shape[3];
            var multiplierFromShapes = outputChannels / inputChannels;
            if (outputChannels % inputChannels != 0 || (op.Options.DepthMultiplier > 0 && op.Options.DepthMultiplier != multiplierFromShapes))
            {
                throw new NotSupportedException(
                    $"DEPTHWISE_CONV_2D '{output.Name}': {outputChannels} output channels do not match {inputChannels} input channels times depth multiplier {op.Options.DepthMultiplier}.");
            }

            onnxWeights = Permute(weights.FloatData(), weights.Shape, [3, 0, 1, 2]);
            onnxWeightShape = [outputChannels, 1, kernelH, kernelW];
            group = inputChannels;
        }
        else
        {
            if (weights.Shape[3] != inputChannels)
            {
                throw new NotSupportedException($"CONV_2D '{output.Name}': grouped convolutions are not supported.");
            }

            onnxWeights = Permute(weights.FloatData(), weights.Shape, [0, 3, 1, 2]);
            onnxWeightShape = [outputChannels, inputChannels, kernelH, kernelW];
            group = 1;
        }

        var inputs = new List<string> { Nchw(input.Index), AddInitializer(weights.Name + "_oihw", onnxWeightShape, onnxWeights) };
        if (op.Inputs.Length > 2 && op.Inputs[2] >= 0)
        {
            var bias = source.Tensors[op.Inputs[2]];
            RequireConstant(bias, op);
            inputs.Add(Natural(bias.Index));
        }

        var node = AddNode("Conv", inputs, [NodeOutputName(op, output, nchw: true)]);
        node.Attribute.Add(Ints("kernel_shape", kernelH, kernelW));
        node.Attribute.Add(Ints("strides", op.Options.StrideH, op.Options.StrideW));
        node.Attribute.Add(Ints("dilations", op.Options.DilationH, op.Options.DilationW));
        node.Attribute.Add(Int("group", group));
        AddPadding(node, op, input, kernelH, kernelW, op.Options.DilationH, op.Options.DilationW);
        DefineNchw(output.Index, ApplyActivation(node.Output[0], op, output, nchw: true));
    }

    private void ConvertMaxPool(TfLiteOperator op)
    {
        var input = source.Tensors[op.Inputs[0]];
        var output = source.Tensors[op.Outputs[0]];
        RequireRank(input, 4, op);
        var node = AddNode("MaxPool", [Nchw(input.Index)], [NodeOutputName(op, output, nchw: true)]);
        node.Attribute.Add(Ints("kernel_shape", op.Options.FilterH, op.Options.FilterW));
        node.Attribute.Add(Ints("strides", op.Options.StrideH, op.Options.StrideW));
        AddPadding(node, op, input, op.Options.FilterH, op.Options.FilterW, 1, 1);
        DefineNchw(output.Index, ApplyActivation(node.Output[0], op, output, nchw: true));
    }

    /// <summary>
    /// TFLite's SAME padding puts the odd pixel at the end. Explicit pads say so exactly; they can only be
    /// computed when the padding does not depend on the input size, which holds for static sizes and for
    /// stride 1. Otherwise SAME_UPPER, ONNX's spelling of the same rule, decides at run time.
    /// </summary>
    private void AddPadding(NodeProto node, TfLiteOperator op, TfLiteTensor input, int kernelH, int kernelW, int dilationH, int dilationW)
    {
        if (op.Options.Padding == TfLitePadding.Valid)
        {
            node.Attribute.Add(Ints("pads", 0, 0, 0, 0));
            return;
        }

        var strideH = op.Options.StrideH;
        var strideW = op.Options.StrideW;
        if (!SpatialSizeIsStatic && (strideH != 1 || strideW != 1))
        {
            node.Attribute.Add(new AttributeProto { Name = "auto_pad", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8("SAME_UPPER") });
            return;
        }

        var (top, bottom) = SamePadding(input.Shape[1], kernelH, strideH, dilationH);
        var (left, right) = SamePadding(input.Shape[2], kernelW, strideW, dilationW);
        node.Attribute.Add(Ints("pads", top, left, bottom, right));
    }

    internal static (int Begin, int End) SamePadding(int inputSize, int kernel, int stride, int dilation)
    {
        var effectiveKernel = ((kernel - 1) * dilation) + 1;
        var outputSize = (inputSize + stride - 1) / stride;
        var total = Math.Max(((outputSize - 1) * stride) + effectiveKernel - inputSize, 0);
        return (total / 2, total - (total / 2));
    }

    private void ConvertFullyConnected(TfLiteOperator op)
    {
        var input = source.Tensors[op.Inputs[0]];
        var weights = source.Tensors[op.Inputs[1]];
        var output = source.Tensors[op.Outputs[0]];
        RequireConstant(weights, op);
        if (op.Options.KeepNumDims && input.Rank > 2)
        {
            throw new NotSupportedException($"FULLY_CONNECTED '{output.Name}' with keep_num_dims is not supported.");
        }

        // TFLite flattens the NHWC tensor, so the flatten has to see the natural layout, not the NCHW copy.
        var flat = AddNode("Reshape", [Natural(input.Index), AddInt64Initializer(FreshName(output.Name + "_flatten_shape"), [2], [-1, weights.Shape[1]])],
            [FreshName(output.Name + "_flattened")]);
        var inputs = new List<string> { flat.Output[0], Natural(weights.Index) };
        if (op.Inputs.Length > 2 && op.Inputs[2] >= 0)
        {
            inputs.Add(Natural(op.Inputs[2]));
        }

        var gemm = AddNode("Gemm", inputs, [NodeOutputName(op, output, nchw: false)]);
        gemm.Attribute.Add(Int("transB", 1));
        DefineNatural(output.Index, ApplyActivation(gemm.Output[0], op, output, nchw: false));
    }

    private void ConvertBinary(TfLiteOperator op, string onnxOperator)
    {
        var output = source.Tensors[op.Outputs[0]];
        var inputs = op.Inputs.Select(i => output.Rank == 4 ? NchwBroadcastable(i) : Natural(i)).ToList();
        var node = AddNode(onnxOperator, inputs, [NodeOutputName(op, output, nchw: output.Rank == 4)]);
        Define(output, ApplyActivation(node.Output[0], op, output, nchw: output.Rank == 4));
    }

    private void ConvertUnary(TfLiteOperator op, string onnxOperator)
    {
        var output = source.Tensors[op.Outputs[0]];
        var input = output.Rank == 4 ? Nchw(op.Inputs[0]) : Natural(op.Inputs[0]);
        var node = AddNode(onnxOperator, [input], [ResultName(output, nchw: output.Rank == 4)]);
        Define(output, node.Output[0]);
    }

    private void ConvertReduction(TfLiteOperator op, string onnxOperator)
    {
        var input = source.Tensors[op.Inputs[0]];
        var axesTensor = source.Tensors[op.Inputs[1]];
        var output = source.Tensors[op.Outputs[0]];
        RequireConstant(axesTensor, op);
        var axes = axesTensor.IntegerData().Select(a => a < 0 ? a + input.Rank : a).Distinct().Order().ToArray();
        var keepDims = op.Options.KeepDims;

        // With keep_dims a rank-4 result stays rank 4 and can stay NCHW; without it the dropped axes change
        // what the remaining ones mean, so that case reduces the natural layout instead.
        var reduceInNchw = input.Rank == 4 && keepDims;
        var inputName = reduceInNchw ? Nchw(input.Index) : Natural(input.Index);
        var onnxAxes = reduceInNchw ? axes.Select(a => (long)Array.IndexOf(NhwcToNchw, a)).Order().ToArray() : axes;
        var resultName = ResultName(output, reduceInNchw);

        NodeProto node;
        if (onnxOperator == "ReduceSum")
        {
            // Opset 13 moved ReduceSum's axes to an input; the other reductions follow only in opset 18.
            node = AddNode(onnxOperator, [inputName, AddInt64Initializer(FreshName(output.Name + "_axes"), [onnxAxes.Length], onnxAxes)],
                [resultName]);
        }
        else
        {
            node = AddNode(onnxOperator, [inputName], [resultName]);
            node.Attribute.Add(Ints("axes", onnxAxes));
        }

        node.Attribute.Add(Int("keepdims", keepDims ? 1 : 0));
        if (reduceInNchw)
        {
            DefineNchw(output.Index, node.Output[0]);
        }
        else
        {
            DefineNatural(output.Index, node.Output[0]);
        }
    }

    private void ConvertReshape(TfLiteOperator op)
    {
        var input = source.Tensors[op.Inputs[0]];
        var output = source.Tensors[op.Outputs[0]];
        long[] newShape;
        if (op.Inputs.Length > 1 && op.Inputs[1] >= 0 && source.Tensors[op.Inputs[1]].IsConstant)
        {
            newShape = source.Tensors[op.Inputs[1]].IntegerData();
        }
        else if (op.Options.NewShape is { } fromOptions)
        {
            newShape = Array.ConvertAll(fromOptions, v => (long)v);
        }
        else
        {
            throw new NotSupportedException($"RESHAPE '{output.Name}' has a shape computed at run time; only constant shapes are supported.");
        }

        // The batch size is baked into TFLite reshapes (MobileFaceNet's is 2); ONNX reads it from the input:
        // -1 infers it, and 0 copies it where another dimension already takes the -1.
        if (newShape.Length > 0 && input.Rank > 0 && newShape[0] == input.Shape[0])
        {
            newShape[0] = newShape.Skip(1).Contains(-1) ? 0 : -1;
        }

        var node = AddNode("Reshape", [Natural(input.Index), AddInt64Initializer(FreshName(output.Name + "_shape"), [newShape.Length], newShape)],
            [output.Name]);
        DefineNatural(output.Index, node.Output[0]);
    }

    /// <summary>
    /// Natural-layout results take the TFLite tensor's own name, so graph outputs and intermediate values
    /// stay recognisable; NCHW copies get a suffix.
    /// </summary>
    private string ResultName(TfLiteTensor output, bool nchw) => nchw ? FreshName(output.Name + "_nchw") : output.Name;

    private string NodeOutputName(TfLiteOperator op, TfLiteTensor output, bool nchw) =>
        op.Options.FusedActivation == TfLiteActivation.None ? ResultName(output, nchw) : FreshName(output.Name + "_before_activation");

    private string ApplyActivation(string value, TfLiteOperator op, TfLiteTensor output, bool nchw)
    {
        switch (op.Options.FusedActivation)
        {
            case TfLiteActivation.None:
                return value;
            case TfLiteActivation.Relu:
                return AddNode("Relu", [value], [ResultName(output, nchw)]).Output[0];
            case TfLiteActivation.Relu6:
                return Clip(value, 0, 6, output, nchw);
            case TfLiteActivation.ReluN1To1:
                return Clip(value, -1, 1, output, nchw);
            case TfLiteActivation.Tanh:
                return AddNode("Tanh", [value], [ResultName(output, nchw)]).Output[0];
            default:
                throw new NotSupportedException($"Fused activation {op.Options.FusedActivation} on '{output.Name}' is not supported.");
        }
    }

    private string Clip(string value, float min, float max, TfLiteTensor output, bool nchw)
    {
        var minName = AddInitializer(FreshName(output.Name + "_clip_min"), [], [min]);
        var maxName = AddInitializer(FreshName(output.Name + "_clip_max"), [], [max]);
        return AddNode("Clip", [value, minName, maxName], [ResultName(output, nchw)]).Output[0];
    }

    private void Define(TfLiteTensor tensor, string onnxName)
    {
        if (tensor.Rank == 4)
        {
            DefineNchw(tensor.Index, onnxName);
        }
        else
        {
            DefineNatural(tensor.Index, onnxName);
        }
    }

    private void DefineNchw(int index, string onnxName) => nchwForm[index] = onnxName;

    private void DefineNatural(int index, string onnxName) => naturalForm[index] = onnxName;

    private string Natural(int index)
    {
        if (naturalForm.TryGetValue(index, out var name))
        {
            return name;
        }

        var tensor = source.Tensors[index];
        if (tensor.IsConstant)
        {
            name = AddConstant(tensor, tensor.Name, tensor.Shape.Select(d => (long)d).ToArray(), TensorBytes(tensor));
        }
        else if (nchwForm.TryGetValue(index, out var nchw))
        {
            name = Transpose(nchw, NchwToNhwc, tensor.Name);
        }
        else
        {
            throw new InvalidDataException($"Tensor '{tensor.Name}' is read before any operator writes it.");
        }

        naturalForm[index] = name;
        return name;
    }

    private string Nchw(int index)
    {
        if (nchwForm.TryGetValue(index, out var name))
        {
            return name;
        }

        var tensor = source.Tensors[index];
        if (tensor.Rank != 4)
        {
            throw new InvalidOperationException($"Tensor '{tensor.Name}' has rank {tensor.Rank}; only rank-4 tensors have an NCHW form.");
        }

        if (tensor.IsConstant)
        {
            var shape = tensor.Shape;
            name = AddInitializer(FreshName(tensor.Name + "_nchw"), [shape[0], shape[3], shape[1], shape[2]], Permute(tensor.FloatData(), shape, [0, 3, 1, 2]));
        }
        else
        {
            name = Transpose(Natural(index), NhwcToNchw, FreshName(tensor.Name + "_nchw"));
        }

        nchwForm[index] = name;
        return name;
    }

    /// <summary>
    /// An operand of an elementwise op whose result is rank 4. NHWC broadcasting aligns trailing axes, so a
    /// per-channel constant of shape [C] means [1,1,1,C]; in NCHW that must become [1,C,1,1].
    /// </summary>
    private string NchwBroadcastable(int index)
    {
        var tensor = source.Tensors[index];
        if (tensor.Rank == 4)
        {
            return Nchw(index);
        }

        if (tensor.Rank > 4)
        {
            throw new NotSupportedException($"Tensor '{tensor.Name}' has rank {tensor.Rank}; at most rank 4 is supported.");
        }

        var padded = Enumerable.Repeat(1, 4 - tensor.Rank).Concat(tensor.Shape).ToArray();
        if (tensor.IsConstant)
        {
            return AddInitializer(FreshName(tensor.Name + "_nchw"), [padded[0], padded[3], padded[1], padded[2]], Permute(tensor.FloatData(), padded, [0, 3, 1, 2]));
        }

        var axes = Enumerable.Range(0, 4 - tensor.Rank).Select(a => (long)a).ToArray();
        var unsqueezed = AddNode("Unsqueeze", [Natural(index), AddInt64Initializer(FreshName(tensor.Name + "_unsqueeze_axes"), [axes.Length], axes)],
            [FreshName(tensor.Name + "_rank4")]).Output[0];
        return Transpose(unsqueezed, NhwcToNchw, FreshName(tensor.Name + "_rank4_nchw"));
    }

    private string Transpose(string input, long[] permutation, string output)
    {
        var node = AddNode("Transpose", [input], [output]);
        node.Attribute.Add(Ints("perm", permutation));
        return output;
    }

    private NodeProto AddNode(string operatorType, IEnumerable<string> inputs, IEnumerable<string> outputs)
    {
        var node = new NodeProto { OpType = operatorType };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Name = FreshName(node.Output[0] + "_" + operatorType.ToLowerInvariant());
        graph.Node.Add(node);
        return node;
    }

    private string FreshName(string wanted)
    {
        var name = wanted;
        for (var suffix = 1; !usedNames.Add(name); suffix++)
        {
            name = wanted + "_" + suffix.ToString(CultureInfo.InvariantCulture);
        }

        return name;
    }

    private string AddConstant(TfLiteTensor tensor, string name, long[] dims, ByteString data)
    {
        var initializer = new TensorProto { Name = name, DataType = (int)OnnxDataType(tensor), RawData = data };
        initializer.Dims.AddRange(dims);
        graph.Initializer.Add(initializer);
        return name;
    }

    private string AddInitializer(string name, long[] dims, float[] data)
    {
        var initializer = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = LittleEndianBytes<float>(data) };
        initializer.Dims.AddRange(dims);
        graph.Initializer.Add(initializer);
        return name;
    }

    private string AddInt64Initializer(string name, long[] dims, long[] data)
    {
        var initializer = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64, RawData = LittleEndianBytes<long>(data) };
        initializer.Dims.AddRange(dims);
        graph.Initializer.Add(initializer);
        return name;
    }

    private static ByteString LittleEndianBytes<T>(T[] values)
        where T : struct
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian; big-endian hosts are not supported.");
        }

        return ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private static ByteString TensorBytes(TfLiteTensor tensor) => tensor.Type switch
    {
        TfLiteTensorType.Float32 => LittleEndianBytes(tensor.FloatData()),
        // Shape-like int32 constants are widened because ONNX shape and axis inputs are int64.
        TfLiteTensorType.Int32 or TfLiteTensorType.Int64 => LittleEndianBytes(tensor.IntegerData()),
        _ => throw new NotSupportedException($"Constant '{tensor.Name}' has type {tensor.Type}; only float32 and integer constants are supported."),
    };

    private static TensorProto.Types.DataType OnnxDataType(TfLiteTensor tensor) => tensor.Type switch
    {
        TfLiteTensorType.Float32 => TensorProto.Types.DataType.Float,
        TfLiteTensorType.Int32 or TfLiteTensorType.Int64 => TensorProto.Types.DataType.Int64,
        _ => throw new NotSupportedException($"Tensor '{tensor.Name}' has type {tensor.Type}."),
    };

    /// <summary>Reorders a dense row-major tensor: result axis i is source axis permutation[i].</summary>
    internal static float[] Permute(float[] data, int[] shape, int[] permutation)
    {
        var rank = shape.Length;
        var sourceStrides = new int[rank];
        var stride = 1;
        for (var axis = rank - 1; axis >= 0; axis--)
        {
            sourceStrides[axis] = stride;
            stride *= shape[axis];
        }

        var targetShape = permutation.Select(p => shape[p]).ToArray();
        var result = new float[data.Length];
        var index = new int[rank];
        for (var target = 0; target < result.Length; target++)
        {
            var sourceOffset = 0;
            for (var axis = 0; axis < rank; axis++)
            {
                sourceOffset += index[axis] * sourceStrides[permutation[axis]];
            }

            result[target] = data[sourceOffset];
            for (var axis = rank - 1; axis >= 0; axis--)
            {
                if (++index[axis] < targetShape[axis])
                {
                    break;
                }

                index[axis] = 0;
            }
        }

        return result;
    }

    private Dimension[] InputDimensions(TfLiteTensor tensor)
    {
        var dims = tensor.Shape.Select(d => new Dimension(d, null)).ToArray();
        if (dims.Length > 0)
        {
            dims[0] = new Dimension(null, options.BatchDimensionName);
        }

        if (options.SymbolicSpatialSize && dims.Length == 4)
        {
            dims[1] = new Dimension(null, options.HeightDimensionName);
            dims[2] = new Dimension(null, options.WidthDimensionName);
        }

        return dims;
    }

    private Dimension[] OutputDimensions(TfLiteTensor tensor)
    {
        var dims = tensor.Shape.Select(d => new Dimension(d, null)).ToArray();
        if (dims.Length > 0)
        {
            dims[0] = new Dimension(null, options.BatchDimensionName);
        }

        if (options.SymbolicSpatialSize && dims.Length == 4)
        {
            // Left unnamed: the output size follows from the input size, which a name could not express.
            dims[1] = new Dimension(null, null);
            dims[2] = new Dimension(null, null);
        }

        return dims;
    }

    private static ValueInfoProto ValueInfo(string name, Dimension[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            var onnxDim = new TensorShapeProto.Types.Dimension();
            if (dim.Value is { } value)
            {
                onnxDim.DimValue = value;
            }
            else if (dim.Parameter is { } parameter)
            {
                onnxDim.DimParam = parameter;
            }

            shape.Dim.Add(onnxDim);
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    private static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static void RequireRank(TfLiteTensor tensor, int rank, TfLiteOperator op)
    {
        if (tensor.Rank != rank)
        {
            throw new NotSupportedException($"{op.DisplayName} expects a rank-{rank} input; '{tensor.Name}' has rank {tensor.Rank}.");
        }
    }

    private static void RequireConstant(TfLiteTensor tensor, TfLiteOperator op)
    {
        if (!tensor.IsConstant)
        {
            throw new NotSupportedException($"{op.DisplayName} needs '{tensor.Name}' to be a constant; run-time weights are not supported.");
        }
    }

    private static void RequireFloat(TfLiteTensor tensor)
    {
        if (tensor.Type != TfLiteTensorType.Float32)
        {
            throw new NotSupportedException($"Input '{tensor.Name}' is {tensor.Type}; only float32 inputs are supported.");
        }
    }

    private readonly record struct Dimension(long? Value, string? Parameter);
}
