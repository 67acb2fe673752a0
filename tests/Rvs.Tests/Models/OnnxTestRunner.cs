using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Rvs.Tests.Models;

internal static class OnnxTestRunner
{
    private static SessionOptions SingleThreaded() => new() { IntraOpNumThreads = 1, InterOpNumThreads = 1 };

    public static Dictionary<string, HostTensor> Run(byte[] onnx, params HostTensor[] inputs)
    {
        using var options = SingleThreaded();
        using var session = new InferenceSession(onnx, options);
        return Run(session, inputs);
    }

    public static Dictionary<string, HostTensor> Run(InferenceSession session, params HostTensor[] inputs)
    {
        var feeds = session.InputMetadata.Keys
            .Select((name, i) => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(inputs[i].Data, inputs[i].Shape)))
            .ToList();
        using var results = session.Run(feeds);
        return results.ToDictionary(r => r.Name, r =>
        {
            var tensor = r.AsTensor<float>();
            return new HostTensor(tensor.Dimensions.ToArray(), tensor.ToArray());
        });
    }

    public static InferenceSession Session(byte[] onnx)
    {
        using var options = SingleThreaded();
        return new InferenceSession(onnx, options);
    }

    public static float MaxAbsoluteDifference(HostTensor expected, HostTensor actual)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var max = 0f;
        for (var i = 0; i < expected.Data.Length; i++)
        {
            max = MathF.Max(max, MathF.Abs(expected.Data[i] - actual.Data[i]));
        }

        return max;
    }
}
