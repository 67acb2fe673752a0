using Rvs.Models;
using Rvs.Models.TfLite;
using Xunit.Abstractions;

namespace Rvs.Tests.Models;

/// <summary>The committed ONNX models: their interface, and their numbers against the TFLite graphs they came from.</summary>
public sealed class ConvertedFaceModelTests(FaceModelSourceFixture source, ITestOutputHelper output) : IClassFixture<FaceModelSourceFixture>
{
    private const float Tolerance = 1e-4f;

    [Fact]
    public void pnet_takes_any_image_size_and_gives_one_score_map_cell_per_12_pixel_window_at_stride_2()
    {
        using var session = OnnxTestRunner.Session(File.ReadAllBytes(ModelFiles.FaceModel(ModelFiles.PNet)));

        var result = OnnxTestRunner.Run(session, HostTensor.Random(1, 1, 25, 31, 3));

        Assert.Equal([1, 8, 11, 2], result["pnet/prob1"].Shape);
        Assert.Equal([1, 8, 11, 4], result["pnet/conv4-2/BiasAdd"].Shape);
    }

    [Fact]
    public void rnet_and_onet_give_scores_boxes_and_landmarks_per_crop()
    {
        using var rnet = OnnxTestRunner.Session(File.ReadAllBytes(ModelFiles.FaceModel(ModelFiles.RNet)));
        using var onet = OnnxTestRunner.Session(File.ReadAllBytes(ModelFiles.FaceModel(ModelFiles.ONet)));

        var rnetResult = OnnxTestRunner.Run(rnet, HostTensor.Random(2, 3, 24, 24, 3));
        var onetResult = OnnxTestRunner.Run(onet, HostTensor.Random(3, 2, 48, 48, 3));

        Assert.Equal([3, 2], rnetResult["rnet/prob1"].Shape);
        Assert.Equal([3, 4], rnetResult["rnet/conv5-2/conv5-2"].Shape);
        Assert.Equal([2, 2], onetResult["onet/prob1"].Shape);
        Assert.Equal([2, 4], onetResult["onet/conv6-2/conv6-2"].Shape);
        Assert.Equal([2, 10], onetResult["onet/conv6-3/conv6-3"].Shape);
    }

    [Fact]
    public void mobilefacenet_embeds_each_face_of_a_batch_independently()
    {
        using var session = OnnxTestRunner.Session(File.ReadAllBytes(ModelFiles.FaceModel(ModelFiles.MobileFaceNet)));
        var batch = HostTensor.Random(4, 3, 112, 112, 3);
        var second = new HostTensor([1, 112, 112, 3], batch.Data.AsSpan(112 * 112 * 3, 112 * 112 * 3).ToArray());

        var batchResult = OnnxTestRunner.Run(session, batch)["embeddings"];
        var singleResult = OnnxTestRunner.Run(session, second)["embeddings"];

        Assert.Equal([3, 192], batchResult.Shape);
        Assert.Equal([1, 192], singleResult.Shape);
        var secondRow = new HostTensor([1, 192], batchResult.Data.AsSpan(192, 192).ToArray());
        Assert.True(OnnxTestRunner.MaxAbsoluteDifference(secondRow, singleResult) < 1e-5f);
    }

    [Theory]
    [InlineData(ModelFiles.PNet, new[] { 1, 25, 31, 3 })]
    [InlineData(ModelFiles.PNet, new[] { 2, 12, 12, 3 })]
    [InlineData(ModelFiles.PNet, new[] { 1, 47, 60, 3 })]
    [InlineData(ModelFiles.RNet, new[] { 3, 24, 24, 3 })]
    [InlineData(ModelFiles.ONet, new[] { 2, 48, 48, 3 })]
    [InlineData(ModelFiles.MobileFaceNet, new[] { 2, 112, 112, 3 })]
    public void the_committed_model_matches_a_plain_interpretation_of_its_tflite_graph(string name, int[] inputShape)
    {
        if (source.TfLiteFiles is null)
        {
            output.WriteLine($"Not checked: {source.UnavailableReason}");
            return;
        }

        var model = FaceModelPackage.Models.Single(m => m.Name == name);
        var graph = TfLiteGraph.Parse(source.TfLiteFiles[model.TfLiteFileName]);
        // Pixels as the pipelines feed them: (x - 127.5) / 128 lands in [-1, 1).
        var input = HostTensor.Random(inputShape.Sum(), inputShape);

        var expected = NaiveTfLiteInterpreter.Run(graph, input);
        var actual = OnnxTestRunner.Run(File.ReadAllBytes(ModelFiles.FaceModel(name)), input);

        foreach (var (outputName, tensor) in expected)
        {
            var difference = OnnxTestRunner.MaxAbsoluteDifference(tensor, actual[outputName]);
            output.WriteLine($"{name} [{string.Join(",", inputShape)}] {outputName} [{string.Join(",", tensor.Shape)}]: max |difference| {difference:E2}");
            Assert.True(difference <= Tolerance, $"{outputName}: max difference {difference}");
        }
    }
}
