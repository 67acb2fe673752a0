using Rvs.Imaging;
using Rvs.Models;

namespace Rvs.Embedding;

/// <summary>
/// Generic image features from ML.NET's ResNet18 (512-d global-pooled activations), the stand-in for the
/// report's ResNet50. The package's own preprocessing graph runs first, exactly as ML.NET chains them:
/// 224×224 planar RGB with raw 0–255 values in, mean subtraction inside the graph.
/// </summary>
public sealed class ResNetEmbedder : IDisposable
{
    public const int Dimensions = 512;
    private const int InputSize = 224;

    private readonly OnnxModel _preprocess;
    private readonly OnnxModel _network;

    public ResNetEmbedder(string resnetPath, string preprocessPath, int intraOpThreads = 1)
    {
        _preprocess = new OnnxModel(preprocessPath, 1);
        _network = new OnnxModel(resnetPath, intraOpThreads);
    }

    /// <summary>The network's file, then the preprocessing graph's (what the pipeline's model id hashes).</summary>
    public IReadOnlyList<string> ModelPaths => [_network.Path, _preprocess.Path];

    /// <summary>Embeds the whole image (stretched to 224×224, as ML.NET's resize does) into a unit vector.</summary>
    public FaceEmbedding Embed(RgbImage image)
    {
        var resized = ImageWarp.Resize(image, InputSize, InputSize);
        var input = new float[3 * InputSize * InputSize];
        PixelTensor.WriteChw(resized, input, PixelNormalization.Raw);
        long[] shape = [1, 3, InputSize, InputSize];
        var prepared = _preprocess.Run(input, shape, _preprocess.OutputNames[0])[0].Data;
        var features = _network.Run(prepared, shape, _network.OutputNames[0])[0].Data;
        VectorMath.Normalize(features);
        return FaceEmbedding.Of(features, Dimensions);
    }

    public void Dispose()
    {
        _preprocess.Dispose();
        _network.Dispose();
    }
}
