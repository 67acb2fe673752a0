using Google.Protobuf;
using Onnx;
using Rvs.Models.TfLite;

namespace Rvs.Models.Conversion;

/// <summary>
/// One translation per supported TFLite operator: weights reordered to ONNX layouts, SAME padding made explicit,
/// fused activations emitted as nodes of their own.
/// </summary>
internal sealed partial class OnnxGraphBuilder
{
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
}
