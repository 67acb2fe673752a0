using Rvs.Models.Conversion;
using Rvs.Models.TfLite;
using static Rvs.Tests.Models.TfLiteModelBuilder;

namespace Rvs.Tests.Models;

public sealed class TfLiteToOnnxConverterTests
{
    private const float Tolerance = 1e-5f;

    private static float[] Range(int count, float start = 0, float step = 1) =>
        Enumerable.Range(0, count).Select(i => start + (i * step)).ToArray();

    /// <summary>Converts, runs in ONNX Runtime and checks every output against the NHWC reference interpreter.</summary>
    private static Dictionary<string, HostTensor> ConvertRunAndCompare(byte[] tflite, TfLiteToOnnxOptions? options, params HostTensor[] inputs)
    {
        var onnx = TfLiteToOnnxConverter.Convert(tflite, options);
        var actual = OnnxTestRunner.Run(onnx, inputs);
        var expected = NaiveTfLiteInterpreter.Run(TfLiteGraph.Parse(tflite), inputs);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, tensor) in expected)
        {
            Assert.True(OnnxTestRunner.MaxAbsoluteDifference(tensor, actual[name]) <= Tolerance, $"{name} differs from the reference");
        }

        return actual;
    }

    private static Dictionary<string, HostTensor> ConvertRunAndCompare(byte[] tflite, params HostTensor[] inputs) =>
        ConvertRunAndCompare(tflite, null, inputs);

    [Fact]
    public void a_same_padded_conv_puts_the_odd_pixel_at_the_end()
    {
        // 4x4 input, 3x3 kernel, stride 2: SAME needs one padding row and column, and TFLite puts it after the image.
        var model = new TfLiteModelBuilder();
        var input = model.Input("input", 1, 4, 4, 1);
        var weights = model.Constant("weights", [1, 3, 3, 1], Enumerable.Repeat(1f, 9).ToArray());
        var output = model.Tensor("output", 1, 2, 2, 1);
        model.Operator(TfLiteBuiltinOperator.Conv2D, [input, weights, -1], [output], Options.Conv2D(TfLitePadding.Same, 2, 2));
        model.Output(output);

        var result = ConvertRunAndCompare(model.Build(), new HostTensor([1, 4, 4, 1], Range(16)));

        // Window sums of x[i,j] = 4i + j over rows {0,1,2} or {2,3} and columns {0,1,2} or {2,3}.
        Assert.Equal([45f, 39f, 66f, 50f], result["output"].Data);
        Assert.Equal([1, 2, 2, 1], result["output"].Shape);
    }

    [Fact]
    public void a_conv_reorders_ohwi_weights_and_adds_bias_and_fused_relu()
    {
        var model = new TfLiteModelBuilder();
        var input = model.Input("input", 1, 5, 6, 3);
        var weights = model.Constant("weights", [4, 3, 2, 3], HostTensor.Random(1, 4, 3, 2, 3).Data);
        var bias = model.Constant("bias", [4], [0.1f, -0.2f, 0.3f, -0.4f]);
        var output = model.Tensor("output", 1, 3, 5, 4);
        model.Operator(TfLiteBuiltinOperator.Conv2D, [input, weights, bias], [output], Options.Conv2D(TfLitePadding.Valid, activation: TfLiteActivation.Relu));
        model.Output(output);

        var result = ConvertRunAndCompare(model.Build(), HostTensor.Random(2, 1, 5, 6, 3));

        Assert.Equal([1, 3, 5, 4], result["output"].Shape);
        Assert.Contains(result["output"].Data, v => v == 0);
    }

    [Fact]
    public void a_strided_same_conv_on_odd_sizes_matches_the_reference()
    {
        var model = new TfLiteModelBuilder();
        var input = model.Input("input", 2, 7, 9, 2);
        var weights = model.Constant("weights", [3, 3, 3, 2], HostTensor.Random(3, 3, 3, 3, 2).Data);
        var output = model.Tensor("output", 2, 4, 5, 3);
        model.Operator(TfLiteBuiltinOperator.Conv2D, [input, weights, -1], [output], Options.Conv2D(TfLitePadding.Same, 2, 2));
        model.Output(output);

        ConvertRunAndCompare(model.Build(), HostTensor.Random(4, 2, 7, 9, 2));
    }

    [Fact]
    public void a_depthwise_conv_keeps_each_channel_to_itself()
    {
        // Channel 0 is summed over the 2x2 window, channel 1 is negated: a grouped conv must not mix them.
        var model = new TfLiteModelBuilder();
        var input = model.Input("input", 1, 2, 2, 2);
        var weights = model.Constant("weights", [1, 2, 2, 2], [1, -1, 1, -1, 1, -1, 1, -1]);
        var bias = model.Constant("bias", [2], [0, 100]);
        var output = model.Tensor("output", 1, 1, 1, 2);
        model.Operator(TfLiteBuiltinOperator.DepthwiseConv2D, [input, weights, bias], [output], Options.DepthwiseConv2D(TfLitePadding.Valid, depthMultiplier: 1));
        model.Output(output);

        // NHWC input: channel 0 holds 1, 2, 3, 4; channel 1 holds 10, 20, 30, 40.
        var result = ConvertRunAndCompare(model.Build(), new HostTensor([1, 2, 2, 2], [1, 10, 2, 20, 3, 30, 4, 40]));

        Assert.Equal([10f, 0f], result["output"].Data);
    }

    [Fact]
    public void a_depthwise_conv_with_a_depth_multiplier_matches_the_reference()
    {
        var model = new TfLiteModelBuilder();
        var input = model.Input("input", 1, 6, 7, 3);
        var weights = model.Constant("weights", [1, 3, 3, 6], HostTensor.Random(5, 1, 3, 3, 6).Data);
        var bias = model.Constant("bias", [6], Range(6, -0.3f, 0.1f));
        var output = model.Tensor("output", 1, 3, 4, 6);
        model.Operator(TfLiteBuiltinOperator.DepthwiseConv2D, [input, weights, bias], [output], Options.DepthwiseConv2D(TfLitePadding.Same, depthMultiplier: 2, strideH: 2, strideW: 2));
        model.Output(output);

        ConvertRunAndCompare(model.Build(), HostTensor.Random(6, 1, 6, 7, 3));
    }

    [Fact]
    public void a_same_max_pool_ignores_the_padding_at_the_end()
    {
        // Width 3 with a 2x2 window and stride 2: the last window hangs over the edge and sees only column 2.
        var model = new TfLiteModelBuilder();
        var input = model.Input("input", 1, 2, 3, 1);
        var output = model.Tensor("output", 1, 1, 2, 1);
        model.Operator(TfLiteBuiltinOperator.MaxPool2D, [input], [output], Options.Pool2D(TfLitePadding.Same, 2, 2, 2, 2));
        model.Output(output);

        var result = ConvertRunAndCompare(model.Build(), new HostTensor([1, 2, 3, 1], [-5, -4, -3, -2, -1, -6]));

        Assert.Equal([-1f, -3f], result["output"].Data);
    }

    [Fact]
    public void a_symbolic_size_model_pads_strided_same_pooling_at_run_time()
    {
        var model = new TfLiteModelBuilder();
        var input = model.Input("input", 1, 100, 100, 2);
        var pooled = model.Tensor("pooled", 1, 50, 50, 2);
        var weights = model.Constant("weights", [3, 3, 3, 2], HostTensor.Random(7, 3, 3, 3, 2).Data);
        var output = model.Tensor("output", 1, 48, 48, 3);
        model.Operator(TfLiteBuiltinOperator.MaxPool2D, [input], [pooled], Options.Pool2D(TfLitePadding.Same, 2, 2, 2, 2));
        model.Operator(TfLiteBuiltinOperator.Conv2D, [pooled, weights, -1], [output], Options.Conv2D(TfLitePadding.Same));
        model.Output(output);
        var tflite = model.Build();
        var options = new TfLiteToOnnxOptions { SymbolicSpatialSize = true };

        var odd = ConvertRunAndCompare(tflite, options, HostTensor.Random(8, 1, 7, 9, 2));
        var even = ConvertRunAndCompare(tflite, options, HostTensor.Random(9, 2, 8, 10, 2));

        Assert.Equal([1, 4, 5, 3], odd["output"].Shape);
        Assert.Equal([2, 4, 5, 3], even["output"].Shape);
    }

    [Fact]
    public void fully_connected_flattens_in_nhwc_order()
    {
        // Weight row 0 picks flat element 1, which in NHWC order is (h=0, w=0, c=1); row 1 picks (h=1, w=0, c=0).
        var model = new TfLiteModelBuilder();
        var input = model.Input("input", 1, 2, 2, 3);
        var weights = new float[2 * 12];
        weights[1] = 1;
        weights[12 + 6] = 1;
        var weightTensor = model.Constant("weights", [2, 12], weights);
        var bias = model.Constant("bias", [2], [0.5f, 0]);
        var output = model.Tensor("output", 1, 2);
        model.Operator(TfLiteBuiltinOperator.FullyConnected, [input, weightTensor, bias], [output], Options.FullyConnected());
        model.Output(output);

        var result = ConvertRunAndCompare(model.Build(), new HostTensor([1, 2, 2, 3], Range(12, 100)));

        Assert.Equal([101.5f, 106f], result["output"].Data);
    }

    [Fact]
    public void fully_connected_on_a_batch_without_bias_matches_the_reference()
    {
        var model = new TfLiteModelBuilder();
        var input = model.Input("input", 1, 3, 3, 4);
        var weights = model.Constant("weights", [5, 36], HostTensor.Random(10, 5, 36).Data);
        var output = model.Tensor("output", 1, 5);
        model.Operator(TfLiteBuiltinOperator.FullyConnected, [input, weights, -1], [output], Options.FullyConnected(TfLiteActivation.Relu6));
        model.Output(output);

        var result = ConvertRunAndCompare(model.Build(), HostTensor.Random(11, 3, 3, 3, 4));

        Assert.Equal([3, 5], result["output"].Shape);
    }

    [Theory]
    [InlineData(TfLiteBuiltinOperator.Add)]
    [InlineData(TfLiteBuiltinOperator.Sub)]
    [InlineData(TfLiteBuiltinOperator.Mul)]
    [InlineData(TfLiteBuiltinOperator.Div)]
    public void an_arithmetic_op_with_a_per_channel_constant_broadcasts_over_channels(TfLiteBuiltinOperator builtin)
    {
        var model = new TfLiteModelBuilder();
        var input = model.Input("input", 1, 2, 2, 3);
        var perChannel = model.Constant("per_channel", [3], [1, 2, 4]);
        var output = model.Tensor("output", 1, 2, 2, 3);
        // The constant comes first, as in MTCNN's PReLU (alpha * x), so operand order is tested too.
        model.Operator(builtin, [perChannel, input], [output], Options.Arithmetic(builtin));
        model.Output(output);

        var result = ConvertRunAndCompare(model.Build(), new HostTensor([1, 2, 2, 3], Enumerable.Repeat(8f, 12).ToArray()));

        float[] expectedPixel = builtin switch
        {
            TfLiteBuiltinOperator.Add => [9, 10, 12],
            TfLiteBuiltinOperator.Sub => [-7, -6, -4],
            TfLiteBuiltinOperator.Mul => [8, 16, 32],
            _ => [0.125f, 0.25f, 0.5f],
        };
        Assert.Equal(Enumerable.Repeat(expectedPixel, 4).SelectMany(p => p), result["output"].Data);
    }

    [Fact]
    public void arithmetic_between_two_activations_with_fused_relu_matches_the_reference()
    {
        var model = new TfLiteModelBuilder();
        var input = model.Input("input", 1, 3, 4, 2);
        var negated = model.Tensor("negated", 1, 3, 4, 2);
        var reduced = model.Tensor("reduced", 1, 3, 4, 1);
        var axis = model.IntConstant("axis", [], [-1]);
        var output = model.Tensor("output", 1, 3, 4, 2);
        model.Operator(TfLiteBuiltinOperator.Neg, [input], [negated]);
        model.Operator(TfLiteBuiltinOperator.Sum, [input, axis], [reduced], Options.Reducer(keepDims: true));
        model.Operator(TfLiteBuiltinOperator.Add, [negated, reduced], [output], Options.Arithmetic(TfLiteBuiltinOperator.Add, TfLiteActivation.Relu));
        model.Output(output);

        ConvertRunAndCompare(model.Build(), HostTensor.Random(12, 1, 3, 4, 2));
    }

    [Theory]
    [InlineData(TfLiteBuiltinOperator.Neg, new[] { 1.5f, -2f, 0f }, new[] { -1.5f, 2f, 0f })]
    [InlineData(TfLiteBuiltinOperator.Abs, new[] { 1.5f, -2f, 0f }, new[] { 1.5f, 2f, 0f })]
    [InlineData(TfLiteBuiltinOperator.Relu, new[] { 1.5f, -2f, 0f }, new[] { 1.5f, 0f, 0f })]
    [InlineData(TfLiteBuiltinOperator.Exp, new[] { 0f, 1f, -1f }, new[] { 1f, 2.7182817f, 0.36787945f })]
    public void a_unary_op_gives_the_known_answer(TfLiteBuiltinOperator builtin, float[] input, float[] expected)
    {
        var model = new TfLiteModelBuilder();
        var inputTensor = model.Input("input", 1, 1, 1, 3);
        var output = model.Tensor("output", 1, 1, 1, 3);
        model.Operator(builtin, [inputTensor], [output]);
        model.Output(output);

        var result = ConvertRunAndCompare(model.Build(), new HostTensor([1, 1, 1, 3], input));

        Assert.Equal(expected, result["output"].Data, (a, b) => MathF.Abs(a - b) < 1e-6f);
    }

    [Fact]
    public void softmax_over_channels_built_from_reductions_matches_the_reference()
    {
        // The MTCNN heads' softmax: exp(x - max_c x) / sum_c exp(...), with the axis given as a scalar -1... or 3.
        var model = new TfLiteModelBuilder();
        var input = model.Input("input", 1, 3, 5, 2);
        var lastAxis = model.IntConstant("last_axis", [], [-1]);
        var channelAxis = model.IntConstant("channel_axis", [1], [3]);
        var max = model.Tensor("max", 1, 3, 5, 1);
        var shifted = model.Tensor("shifted", 1, 3, 5, 2);
        var exp = model.Tensor("exp", 1, 3, 5, 2);
        var sum = model.Tensor("sum", 1, 3, 5, 1);
        var prob = model.Tensor("prob", 1, 3, 5, 2);
        model.Operator(TfLiteBuiltinOperator.ReduceMax, [input, lastAxis], [max], Options.Reducer(keepDims: true));
        model.Operator(TfLiteBuiltinOperator.Sub, [input, max], [shifted], Options.Arithmetic(TfLiteBuiltinOperator.Sub));
        model.Operator(TfLiteBuiltinOperator.Exp, [shifted], [exp]);
        model.Operator(TfLiteBuiltinOperator.Sum, [exp, channelAxis], [sum], Options.Reducer(keepDims: true));
        model.Operator(TfLiteBuiltinOperator.Div, [exp, sum], [prob], Options.Arithmetic(TfLiteBuiltinOperator.Div));
        model.Output(prob);

        var result = ConvertRunAndCompare(model.Build(), HostTensor.Random(13, 2, 3, 5, 2));

        for (var pixel = 0; pixel < 30; pixel++)
        {
            Assert.Equal(1f, result["prob"].Data[2 * pixel] + result["prob"].Data[(2 * pixel) + 1], 5);
        }
    }

    [Fact]
    public void a_reduction_without_keep_dims_drops_nhwc_axes()
    {
        // Reducing H alone without keep_dims leaves [N, W, C]; an NCHW reduction would leave [N, C, W].
        var model = new TfLiteModelBuilder();
        var input = model.Input("input", 1, 3, 4, 2);
        var heightAxis = model.IntConstant("height_axis", [1], [1]);
        var spatialAxes = model.IntConstant("spatial_axes", [2], [1, 2]);
        var sumOverHeight = model.Tensor("sum_over_height", 1, 4, 2);
        var maxOverSpace = model.Tensor("max_over_space", 1, 2);
        model.Operator(TfLiteBuiltinOperator.Sum, [input, heightAxis], [sumOverHeight], Options.Reducer(keepDims: false));
        model.Operator(TfLiteBuiltinOperator.ReduceMax, [input, spatialAxes], [maxOverSpace], Options.Reducer(keepDims: false));
        model.Output(sumOverHeight);
        model.Output(maxOverSpace);

        var result = ConvertRunAndCompare(model.Build(), HostTensor.Random(14, 2, 3, 4, 2));

        Assert.Equal([2, 4, 2], result["sum_over_height"].Shape);
        Assert.Equal([2, 2], result["max_over_space"].Shape);
    }

    [Fact]
    public void a_reshape_with_a_baked_in_batch_follows_the_input_batch()
    {
        // MobileFaceNet's final reshape says [2, 192]; converted, it must work for any batch.
        var model = new TfLiteModelBuilder();
        var input = model.Input("input", 2, 1, 1, 3);
        var shape = model.IntConstant("shape", [2], [2, 3]);
        var output = model.Tensor("output", 2, 3);
        model.Operator(TfLiteBuiltinOperator.Reshape, [input, shape], [output], Options.Reshape([2, 3]));
        model.Output(output);
        var tflite = model.Build();

        Assert.Equal([1, 3], ConvertRunAndCompare(tflite, HostTensor.Random(15, 1, 1, 1, 3))["output"].Shape);
        Assert.Equal([3, 3], ConvertRunAndCompare(tflite, HostTensor.Random(16, 3, 1, 1, 3))["output"].Shape);
    }

    [Fact]
    public void a_reshape_of_an_image_flattens_in_nhwc_order()
    {
        var model = new TfLiteModelBuilder();
        var input = model.Input("input", 1, 2, 2, 2);
        var output = model.Tensor("output", 1, 8);
        model.Operator(TfLiteBuiltinOperator.Reshape, [input], [output], Options.Reshape([1, -1]));
        model.Output(output);

        var result = ConvertRunAndCompare(model.Build(), new HostTensor([1, 2, 2, 2], Range(8)));

        Assert.Equal(Range(8), result["output"].Data);
    }

    [Fact]
    public void inputs_and_outputs_keep_their_tflite_names_and_nhwc_layout_with_a_symbolic_batch()
    {
        var model = new TfLiteModelBuilder();
        var input = model.Input("net/input", 1, 4, 4, 3);
        var weights = model.Constant("net/weights", [2, 1, 1, 3], HostTensor.Random(17, 2, 1, 1, 3).Data);
        var output = model.Tensor("net/conv/BiasAdd", 1, 4, 4, 2);
        model.Operator(TfLiteBuiltinOperator.Conv2D, [input, weights, -1], [output], Options.Conv2D(TfLitePadding.Same));
        model.Output(output);

        var onnx = TfLiteToOnnxConverter.ConvertToModel(model.Build());

        var graphInput = Assert.Single(onnx.Graph.Input);
        var graphOutput = Assert.Single(onnx.Graph.Output);
        Assert.Equal("net/input", graphInput.Name);
        Assert.Equal("net/conv/BiasAdd", graphOutput.Name);
        Assert.Equal("batch", graphInput.Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal([4L, 4, 3], graphInput.Type.TensorType.Shape.Dim.Skip(1).Select(d => d.DimValue));
        Assert.Equal([4L, 4, 2], graphOutput.Type.TensorType.Shape.Dim.Skip(1).Select(d => d.DimValue));
        Assert.Equal(TfLiteToOnnxConverter.OpsetVersion, onnx.OpsetImport.Single().Version);
    }

    [Fact]
    public void converting_twice_gives_identical_bytes()
    {
        var model = new TfLiteModelBuilder();
        var input = model.Input("input", 1, 4, 4, 3);
        var alpha = model.Constant("alpha", [3], [0.1f, 0.2f, 0.3f]);
        var output = model.Tensor("output", 1, 4, 4, 3);
        model.Operator(TfLiteBuiltinOperator.Mul, [alpha, input], [output], Options.Arithmetic(TfLiteBuiltinOperator.Mul));
        model.Output(output);
        var tflite = model.Build();

        Assert.Equal(TfLiteToOnnxConverter.Convert(tflite), TfLiteToOnnxConverter.Convert(tflite));
    }

    [Theory]
    [InlineData((int)TfLiteBuiltinOperator.Softmax, "Softmax")]
    [InlineData(150, "builtin code 150")]
    public void an_unsupported_operator_is_named_in_the_error(int builtinCode, string expectedName)
    {
        var model = new TfLiteModelBuilder();
        var input = model.Input("input", 1, 4);
        var output = model.Tensor("output", 1, 4);
        model.Operator(builtinCode, [input], [output]);
        model.Output(output);

        var error = Assert.Throws<NotSupportedException>(() => TfLiteToOnnxConverter.Convert(model.Build()));

        Assert.Contains(expectedName, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void an_operator_code_written_only_in_the_deprecated_field_is_still_read()
    {
        var model = new TfLiteModelBuilder { OnlyDeprecatedBuiltinCode = true };
        var input = model.Input("input", 1, 3);
        var output = model.Tensor("output", 1, 3);
        model.Operator(TfLiteBuiltinOperator.Abs, [input], [output]);
        model.Output(output);

        var graph = TfLiteGraph.Parse(model.Build());

        Assert.Equal(TfLiteBuiltinOperator.Abs, Assert.Single(graph.Operators).Kind);
    }

    [Fact]
    public void a_file_that_is_not_tflite_is_rejected()
    {
        Assert.Throws<InvalidDataException>(() => TfLiteToOnnxConverter.Convert(new byte[64]));
    }
}
