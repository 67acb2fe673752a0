using System.Drawing;
using System.Numerics;
using Rvs.Detection;
using Rvs.Imaging;

namespace Rvs.Alignment;

/// <summary>
/// Warps a face so its five landmarks land on the standard 112×112 template (the ArcFace/InsightFace one that
/// MobileFaceNet was trained with). Alignment matters more than it looks: a 6-pixel shift of a plain crop moves
/// the embedding by an L2 distance of about 1.0, more than the gap between two people.
/// </summary>
public static class FaceAligner
{
    public const int Size = 112;

    /// <summary>Left eye, right eye, nose tip, left and right mouth corners in the 112×112 output.</summary>
    private static readonly PointF[] TemplatePoints =
    [
        new(38.2946f, 51.6963f),
        new(73.5318f, 51.5014f),
        new(56.0252f, 71.7366f),
        new(41.5493f, 92.3655f),
        new(70.7299f, 92.2041f),
    ];

    public static IReadOnlyList<PointF> Template => TemplatePoints;

    public static AlignedFace Align(RgbImage image, DetectedFace face)
    {
        if (face.Landmarks.Length != 5)
        {
            throw new ArgumentException("Alignment needs the five landmarks of a detected face.", nameof(face));
        }

        var photoToTemplate = SimilarityTransform.Estimate(face.Landmarks, TemplatePoints);
        if (!Matrix3x2.Invert(photoToTemplate, out var templateToPhoto))
        {
            throw new ArgumentException("The landmarks are degenerate.", nameof(face));
        }

        // Template and landmarks are both in pixel-index coordinates, as in the alignment the model was trained
        // with, so the inverse map is used as it is (no half-pixel shift).
        return new AlignedFace(face, ImageWarp.Warp(image, templateToPhoto, Size, Size));
    }
}
