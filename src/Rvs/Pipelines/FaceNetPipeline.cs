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
        ModelId = ModelIds.Compose(ModelIds.FaceNetRecipe + (embedder.AddMirror ? ModelIds.MirrorSuffix : ""), [.. detector.ModelPaths, .. embedder.ModelPaths]);
    }

    public string Name => PipelineNames.MtcnnFaceNet;

    public string ModelId { get; }

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
    /// a finer decode of just the part of the photo around it (JPEG; the whole photo otherwise): one decode for all
    /// such faces, at the scale the narrowest of them needs. Faces keep detection-image coordinates.
    /// </summary>
    private List<AlignedFace> Align(DecodedPhoto photo, RgbImage image, IReadOnlyList<DetectedFace> faces)
    {
        var side = _resolution.AlignmentFaceSide;
        var small = faces.Where(f => f.Box.Width < side).ToList();
        IReadOnlyList<PhotoRegion>? regions = null;
        if (small.Count > 0)
        {
            var start = StageTimings.Start();
            var toOriginal = (float)photo.OriginalWidth / image.Width;
            var longSide = Math.Max(image.Width, image.Height);
            regions = photo.FinerRegions(small.Select(f => Around(f, toOriginal)).ToList(), (int)Math.Ceiling(longSide * side / Math.Max(1f, small.Min(f => f.Box.Width))));
            StageTimings.Stop(PipelineStage.FinerDecode, start);
        }

        var alignStart = StageTimings.Start();
        var aligned = faces.Select(face =>
            {
                var i = regions is null ? -1 : small.IndexOf(face);
                if (i < 0)
                {
                    return FaceAligner.Align(image, face);
                }

                var region = regions![i];
                var toRegion = (float)region.ScaledWidth / image.Width;
                return FaceAligner.Align(region.Image, face.Scaled(toRegion).Moved(-region.Left, -region.Top)) with { Face = face };
            })
            .ToList();
        StageTimings.Stop(PipelineStage.Align, alignStart);
        return aligned;
    }

    /// <summary>Detected faces aligned to the template, in detector order (in <paramref name="image"/>'s pixels).</summary>
    public IReadOnlyList<AlignedFace> DetectAndAlign(RgbImage image) =>
        _detector.Detect(image).Select(face => FaceAligner.Align(image, face)).ToList();

    /// <summary>The face's box grown by half its size on each side (the template reaches past the box), in original pixels.</summary>
    private static RectangleF Around(DetectedFace face, float toOriginal)
    {
        var b = face.Box;
        return new RectangleF((b.Left - b.Width / 2) * toOriginal, (b.Top - b.Height / 2) * toOriginal, 2 * b.Width * toOriginal, 2 * b.Height * toOriginal);
    }

    public FaceEmbedding EmbedRegion(DecodedPhoto photo, RectangleF box)
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
