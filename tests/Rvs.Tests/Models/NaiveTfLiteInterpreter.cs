using Rvs.Models.TfLite;

namespace Rvs.Tests.Models;

/// <summary>A dense float tensor in TFLite's own layout (NHWC for images).</summary>
internal sealed record HostTensor(int[] Shape, float[] Data)
{
    public static HostTensor Random(int seed, params int[] shape)
    {
        var random = new Random(seed);
        var data = new float[shape.Aggregate(1, (a, b) => a * b)];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return new HostTensor(shape, data);
    }
}

/// <summary>
/// A deliberately plain NHWC interpreter of TFLite graphs: the reference the converted ONNX models are
/// checked against. It shares nothing with the converter but the flatbuffer reader, and follows the TFLite
/// reference kernels' definitions directly (SAME padding with the odd pixel at the end, NHWC flattening,
/// numpy broadcasting), reading run-time sizes from the data rather than from the model's placeholder shapes.
/// </summary>
internal static class NaiveTfLiteInterpreter
{
    public static Dictionary<string, HostTensor> Run(TfLiteGraph graph, params HostTensor[] inputs)
    {
        var values = new Dictionary<int, HostTensor>();
        for (var i = 0; i < graph.Inputs.Length; i++)
        {
            values[graph.Inputs[i]] = inputs[i];
        }

        HostTensor Value(int index)
        {
            if (values.TryGetValue(index, out var value))
            {
                return value;
            }

            var tensor = graph.Tensors[index];
            return values[index] = new HostTensor(tensor.Shape, tensor.Type == TfLiteTensorType.Float32 ? tensor.FloatData() : tensor.IntegerData().Select(v => (float)v).ToArray());
        }

        foreach (var op in graph.Operators)
        {
            var a = Value(op.Inputs[0]);
            var options = op.Options;
            var result = op.Kind switch
            {
                TfLiteBuiltinOperator.Conv2D => Convolution(a, Value(op.Inputs[1]), Bias(op, Value), options, depthwise: false),
                TfLiteBuiltinOperator.DepthwiseConv2D => Convolution(a, Value(op.Inputs[1]), Bias(op, Value), options, depthwise: true),
                TfLiteBuiltinOperator.MaxPool2D => MaxPool(a, options),
                TfLiteBuiltinOperator.FullyConnected => FullyConnected(a, Value(op.Inputs[1]), Bias(op, Value)),
                TfLiteBuiltinOperator.Add => Broadcast(a, Value(op.Inputs[1]), (x, y) => x + y),
                TfLiteBuiltinOperator.Sub => Broadcast(a, Value(op.Inputs[1]), (x, y) => x - y),
                TfLiteBuiltinOperator.Mul => Broadcast(a, Value(op.Inputs[1]), (x, y) => x * y),
                TfLiteBuiltinOperator.Div => Broadcast(a, Value(op.Inputs[1]), (x, y) => x / y),
                TfLiteBuiltinOperator.Neg => Map(a, x => -x),
                TfLiteBuiltinOperator.Abs => Map(a, MathF.Abs),
                TfLiteBuiltinOperator.Relu => Map(a, x => MathF.Max(x, 0)),
                TfLiteBuiltinOperator.Exp => Map(a, MathF.Exp),
                TfLiteBuiltinOperator.Sum => Reduce(a, Value(op.Inputs[1]), options.KeepDims, 0, (s, x) => s + x),
                TfLiteBuiltinOperator.ReduceMax => Reduce(a, Value(op.Inputs[1]), options.KeepDims, double.NegativeInfinity, Math.Max),
                TfLiteBuiltinOperator.Reshape => Reshape(a, op.Inputs.Length > 1 ? Value(op.Inputs[1]).Data.Select(v => (int)v).ToArray() : options.NewShape!),
                _ => throw new NotSupportedException($"The reference interpreter lacks {op.DisplayName}."),
            };
            values[op.Outputs[0]] = options.FusedActivation switch
            {
                TfLiteActivation.None => result,
                TfLiteActivation.Relu => Map(result, x => MathF.Max(x, 0)),
                TfLiteActivation.Relu6 => Map(result, x => Math.Clamp(x, 0, 6)),
                _ => throw new NotSupportedException($"The reference interpreter lacks activation {options.FusedActivation}."),
            };
        }

        return graph.Outputs.ToDictionary(o => graph.Tensors[o].Name, o => values[o]);
    }

    private static HostTensor? Bias(TfLiteOperator op, Func<int, HostTensor> value) =>
        op.Inputs.Length > 2 && op.Inputs[2] >= 0 ? value(op.Inputs[2]) : null;

    private static (int OutputSize, int PadBefore) Window(int inputSize, int kernel, int stride, int dilation, TfLitePadding padding)
    {
        var effective = ((kernel - 1) * dilation) + 1;
        if (padding == TfLitePadding.Valid)
        {
            return (((inputSize - effective) / stride) + 1, 0);
        }

        var output = (int)Math.Ceiling(inputSize / (double)stride);
        var needed = Math.Max(0, ((output - 1) * stride) + effective - inputSize);
        return (output, needed / 2);
    }

    private static HostTensor Convolution(HostTensor input, HostTensor filter, HostTensor? bias, TfLiteOperatorOptions options, bool depthwise)
    {
        int batch = input.Shape[0], height = input.Shape[1], width = input.Shape[2], inChannels = input.Shape[3];
        int kernelH = filter.Shape[1], kernelW = filter.Shape[2];
        var outChannels = depthwise ? filter.Shape[3] : filter.Shape[0];
        var multiplier = depthwise ? outChannels / inChannels : 1;
        var (outH, padTop) = Window(height, kernelH, options.StrideH, options.DilationH, options.Padding);
        var (outW, padLeft) = Window(width, kernelW, options.StrideW, options.DilationW, options.Padding);
        var output = new float[batch * outH * outW * outChannels];
        for (var n = 0; n < batch; n++)
        for (var oy = 0; oy < outH; oy++)
        for (var ox = 0; ox < outW; ox++)
        for (var oc = 0; oc < outChannels; oc++)
        {
            double sum = bias?.Data[oc] ?? 0;
            for (var ky = 0; ky < kernelH; ky++)
            {
                var iy = (oy * options.StrideH) - padTop + (ky * options.DilationH);
                if (iy < 0 || iy >= height)
                {
                    continue;
                }

                for (var kx = 0; kx < kernelW; kx++)
                {
                    var ix = (ox * options.StrideW) - padLeft + (kx * options.DilationW);
                    if (ix < 0 || ix >= width)
                    {
                        continue;
                    }

                    var pixel = (((n * height) + iy) * width + ix) * inChannels;
                    if (depthwise)
                    {
                        // Filter [1, kh, kw, inChannels * multiplier]; output channel oc reads input channel oc / multiplier.
                        sum += input.Data[pixel + (oc / multiplier)] * filter.Data[((ky * kernelW) + kx) * outChannels + oc];
                    }
                    else
                    {
                        // Filter [outChannels, kh, kw, inChannels].
                        var filterBase = (((oc * kernelH) + ky) * kernelW + kx) * inChannels;
                        for (var ic = 0; ic < inChannels; ic++)
                        {
                            sum += input.Data[pixel + ic] * filter.Data[filterBase + ic];
                        }
                    }
                }
            }

            output[(((n * outH) + oy) * outW + ox) * outChannels + oc] = (float)sum;
        }

        return new HostTensor([batch, outH, outW, outChannels], output);
    }

    private static HostTensor MaxPool(HostTensor input, TfLiteOperatorOptions options)
    {
        int batch = input.Shape[0], height = input.Shape[1], width = input.Shape[2], channels = input.Shape[3];
        var (outH, padTop) = Window(height, options.FilterH, options.StrideH, 1, options.Padding);
        var (outW, padLeft) = Window(width, options.FilterW, options.StrideW, 1, options.Padding);
        var output = new float[batch * outH * outW * channels];
        for (var n = 0; n < batch; n++)
        for (var oy = 0; oy < outH; oy++)
        for (var ox = 0; ox < outW; ox++)
        for (var c = 0; c < channels; c++)
        {
            var max = float.NegativeInfinity;
            for (var ky = 0; ky < options.FilterH; ky++)
            for (var kx = 0; kx < options.FilterW; kx++)
            {
                int iy = (oy * options.StrideH) - padTop + ky, ix = (ox * options.StrideW) - padLeft + kx;
                if (iy >= 0 && iy < height && ix >= 0 && ix < width)
                {
                    max = MathF.Max(max, input.Data[((((n * height) + iy) * width) + ix) * channels + c]);
                }
            }

            output[(((n * outH) + oy) * outW + ox) * channels + c] = max;
        }

        return new HostTensor([batch, outH, outW, channels], output);
    }

    private static HostTensor FullyConnected(HostTensor input, HostTensor weights, HostTensor? bias)
    {
        int units = weights.Shape[0], depth = weights.Shape[1];
        var rows = input.Data.Length / depth;
        var output = new float[rows * units];
        for (var r = 0; r < rows; r++)
        for (var u = 0; u < units; u++)
        {
            double sum = bias?.Data[u] ?? 0;
            for (var k = 0; k < depth; k++)
            {
                sum += input.Data[(r * depth) + k] * weights.Data[(u * depth) + k];
            }

            output[(r * units) + u] = (float)sum;
        }

        return new HostTensor([rows, units], output);
    }

    private static HostTensor Map(HostTensor input, Func<float, float> function) => new(input.Shape, Array.ConvertAll(input.Data, x => function(x)));

    private static HostTensor Broadcast(HostTensor a, HostTensor b, Func<float, float, float> function)
    {
        if (a.Shape.SequenceEqual(b.Shape))
        {
            var same = new float[a.Data.Length];
            for (var i = 0; i < same.Length; i++)
            {
                same[i] = function(a.Data[i], b.Data[i]);
            }

            return new HostTensor(a.Shape, same);
        }

        var rank = Math.Max(a.Shape.Length, b.Shape.Length);
        var shapeA = Enumerable.Repeat(1, rank - a.Shape.Length).Concat(a.Shape).ToArray();
        var shapeB = Enumerable.Repeat(1, rank - b.Shape.Length).Concat(b.Shape).ToArray();
        var shape = shapeA.Zip(shapeB, Math.Max).ToArray();
        var output = new float[shape.Aggregate(1, (x, y) => x * y)];
        var index = new int[rank];
        for (var i = 0; i < output.Length; i++)
        {
            int offsetA = 0, offsetB = 0;
            for (var axis = 0; axis < rank; axis++)
            {
                offsetA = (offsetA * shapeA[axis]) + (shapeA[axis] == 1 ? 0 : index[axis]);
                offsetB = (offsetB * shapeB[axis]) + (shapeB[axis] == 1 ? 0 : index[axis]);
            }

            output[i] = function(a.Data[offsetA], b.Data[offsetB]);
            for (var axis = rank - 1; axis >= 0 && ++index[axis] == shape[axis]; axis--)
            {
                index[axis] = 0;
            }
        }

        return new HostTensor(shape, output);
    }

    private static HostTensor Reduce(HostTensor input, HostTensor axesTensor, bool keepDims, double seed, Func<double, double, double> combine)
    {
        var rank = input.Shape.Length;
        var axes = axesTensor.Data.Select(v => (int)v).Select(a => a < 0 ? a + rank : a).ToHashSet();
        var keptShape = input.Shape.Select((d, axis) => axes.Contains(axis) ? 1 : d).ToArray();
        var accumulators = Enumerable.Repeat(seed, keptShape.Aggregate(1, (x, y) => x * y)).ToArray();
        var index = new int[rank];
        for (var i = 0; i < input.Data.Length; i++)
        {
            var target = 0;
            for (var axis = 0; axis < rank; axis++)
            {
                target = (target * keptShape[axis]) + (axes.Contains(axis) ? 0 : index[axis]);
            }

            accumulators[target] = combine(accumulators[target], input.Data[i]);
            for (var axis = rank - 1; axis >= 0 && ++index[axis] == input.Shape[axis]; axis--)
            {
                index[axis] = 0;
            }
        }

        var shape = keepDims ? keptShape : input.Shape.Where((_, axis) => !axes.Contains(axis)).ToArray();
        return new HostTensor(shape, accumulators.Select(v => (float)v).ToArray());
    }

    /// <summary>The batch is whatever the data has; TFLite models bake their export-time batch into reshapes.</summary>
    private static HostTensor Reshape(HostTensor input, int[] newShape)
    {
        var shape = (int[])newShape.Clone();
        if (shape.Length > 1 && shape[0] != -1)
        {
            shape[0] = input.Shape[0];
        }

        var known = shape.Where(d => d != -1).Aggregate(1, (x, y) => x * y);
        shape = shape.Select(d => d == -1 ? input.Data.Length / known : d).ToArray();
        return new HostTensor(shape, input.Data);
    }
}
