using Onnx;
using Rvs.Models.TfLite;

namespace Rvs.Models.Conversion;

/// <summary>
/// Walks the TFLite operators in order and emits ONNX nodes. Every TFLite tensor may exist in two forms:
/// its natural TFLite layout (named exactly like the TFLite tensor, so graph inputs and outputs keep their
/// names) and, for rank-4 tensors, an NCHW copy. Each form is made on first use, so a transpose only
/// appears where a layout change is really needed.
/// </summary>
internal sealed partial class OnnxGraphBuilder
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
