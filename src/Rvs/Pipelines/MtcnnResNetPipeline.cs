using System.Drawing;
using Rvs.Detection;
using Rvs.Embedding;
using Rvs.Imaging;

namespace Rvs.Pipelines;

/// <summary>mtcnn-resnet: MTCNN face boxes, each crop embedded with generic ResNet18 features (the report's pipeline 2).</summary>
public sealed class MtcnnResNetPipeline : IEmbeddingPipeline
{
    private readonly MtcnnDetector _detector;
    private readonly ResNetEmbedder _embedder;

    public MtcnnResNetPipeline(MtcnnDetector detector, ResNetEmbedder embedder)
    {
        _detector = detector;
        _embedder = embedder;
        ModelId = ModelIds.Compose(ModelIds.MtcnnResNetRecipe, [.. detector.ModelPaths, .. embedder.ModelPaths]);
    }

    public string Name => PipelineNames.MtcnnResNet;

    public string ModelId { get; }

    public int Dimensions => ResNetEmbedder.Dimensions;

    public IReadOnlyList<EmbeddedFace> Embed(DecodedPhoto photo) =>
        _detector.Detect(photo.Image)
            .Select(face => new EmbeddedFace(face.Scaled(photo.Scale), EmbedCrop(photo.Image, face.Box)))
            .OrderByDescending(f => f.Face.Area)
            .ToList();

    public FaceEmbedding EmbedRegion(DecodedPhoto photo, RectangleF box)
    {
        var s = 1f / photo.Scale;
        return EmbedCrop(photo.Image, new RectangleF(box.X * s, box.Y * s, box.Width * s, box.Height * s));
    }

    private FaceEmbedding EmbedCrop(RgbImage image, RectangleF box)
    {
        var width = Math.Max(1, (int)MathF.Round(box.Width));
        var height = Math.Max(1, (int)MathF.Round(box.Height));
        return _embedder.Embed(ImageWarp.CropResize(image, box.X, box.Y, box.Width, box.Height, width, height));
    }

    public void Dispose()
    {
        _detector.Dispose();
        _embedder.Dispose();
    }
}
