using Microsoft.ML.OnnxRuntime;

namespace Rvs.Models;

/// <summary>
/// One ONNX Runtime session and the way rvs runs it: float tensors in, float tensors out, safe to call from
/// several threads at once (ORT sessions are). Threading is explicit because throughput on a small machine
/// comes from running images in parallel with one intra-op thread each, while a single query wants all cores.
/// </summary>
public sealed class OnnxModel : IDisposable
{
    private readonly InferenceSession _session;

    public OnnxModel(string path, int intraOpThreads = 1)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"model file not found: {path} (see models/README.md to regenerate it)", path);
        }

        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = Math.Max(1, intraOpThreads),
            InterOpNumThreads = 1,
        };
        _session = new InferenceSession(path, options);
        InputName = _session.InputMetadata.Keys.Single();
        OutputNames = [.. _session.OutputMetadata.Keys];
        Path = path;
    }

    public string Path { get; }

    public string InputName { get; }

    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>The output whose name contains <paramref name="fragment"/>; converted models keep their TFLite tensor names.</summary>
    public string Output(string fragment) =>
        OutputNames.FirstOrDefault(n => n.Contains(fragment, StringComparison.Ordinal))
        ?? throw new InvalidOperationException($"{System.IO.Path.GetFileName(Path)} has no output named like '{fragment}' (has: {string.Join(", ", OutputNames)})");

    /// <summary>Runs the model on one input tensor and returns the requested outputs as (data, shape) pairs.</summary>
    public (float[] Data, long[] Shape)[] Run(float[] input, long[] shape, params string[] outputs)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var runOptions = new RunOptions();
        using var results = _session.Run(runOptions, [InputName], [value], outputs);
        var answer = new (float[], long[])[results.Count];
        for (var i = 0; i < results.Count; i++)
        {
            answer[i] = (results[i].GetTensorDataAsSpan<float>().ToArray(), results[i].GetTensorTypeAndShape().Shape);
        }

        return answer;
    }

    public void Dispose() => _session.Dispose();
}
