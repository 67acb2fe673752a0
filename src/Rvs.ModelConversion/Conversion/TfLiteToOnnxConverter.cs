using Google.Protobuf;
using Onnx;
using Rvs.Models.TfLite;

namespace Rvs.Models.Conversion;

/// <summary>
/// Converts float32 TFLite models (the MTCNN and MobileFaceNet graphs) to ONNX.
/// The model boundary keeps TFLite's NHWC layout so callers feed the same tensors either runtime takes;
/// inside, rank-4 activations run in ONNX's NCHW, with one transpose in and one out.
/// </summary>
public static class TfLiteToOnnxConverter
{
    public const int OpsetVersion = 13;

    /// <summary>IR version 7 is the one that goes with opset 13.</summary>
    public const long IrVersion = 7;

    public static byte[] Convert(byte[] tflite, TfLiteToOnnxOptions? options = null) =>
        ConvertToModel(tflite, options).ToByteArray();

    public static ModelProto ConvertToModel(byte[] tflite, TfLiteToOnnxOptions? options = null)
    {
        var graph = TfLiteGraph.Parse(tflite);
        var onnxGraph = new OnnxGraphBuilder(graph, options ?? new TfLiteToOnnxOptions()).Build();
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "rvs",
            ProducerVersion = "1",
            Graph = onnxGraph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OpsetVersion });
        return model;
    }
}
