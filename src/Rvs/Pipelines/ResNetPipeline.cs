using System.Drawing;
using Rvs.Detection;
using Rvs.Embedding;
using Rvs.Imaging;

namespace Rvs.Pipelines;

/// <summary>resnet: the whole photo embedded with ResNet18, no face detection (the report's pipeline 1).</summary>
public sealed class ResNetPipeline : IEmbeddingPipeline
{
    private readonly ResNetEmbedder _embedder;

    public ResNetPipeline(ResNetEmbedder embedder)
    {
        _embedder = embedder;
        ModelId = ModelIds.Compose(ModelIds.ResNetRecipe, embedder.ModelPaths);
    }

    public string Name => PipelineNames.ResNet;

    public string ModelId { get; }

    public int Dimensions => ResNetEmbedder.Dimensions;

    public IReadOnlyList<EmbeddedFace> Embed(DecodedPhoto photo)
    {
        var whole = new DetectedFace(new RectangleF(0, 0, photo.OriginalWidth, photo.OriginalHeight), 1f, []);
        return [new EmbeddedFace(whole, _embedder.Embed(photo.Image))];
    }

    public FaceEmbedding EmbedRegion(DecodedPhoto photo, RectangleF box)
    {
        var s = 1f / photo.Scale;
        var crop = ImageWarp.CropResize(photo.Image, box.X * s, box.Y * s, box.Width * s, box.Height * s,
            Math.Max(1, (int)(box.Width * s)), Math.Max(1, (int)(box.Height * s)));
        return _embedder.Embed(crop);
    }

    public void Dispose() => _embedder.Dispose();
}
