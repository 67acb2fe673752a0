using System.Drawing;

namespace Rvs.Pipelines;

/// <summary>
/// Whether a detected face is good enough to be shown as a search result: big enough that its embedding still
/// tells people apart, and scored confidently enough by the detector that it is a face at all. Low-quality faces
/// stay in the catalog (a user can ask for them) but searches leave them out by default. Both floors were measured
/// with <c>Rvs.Bench face-sizes</c> (docs/RESULTS.md, "Face quality").
/// </summary>
public static class FaceQuality
{
    /// <summary>Faces whose box has a shorter side under this many pixels of the original photo are low quality.</summary>
    public const float MinimumSide = 24;

    /// <summary>Faces the detector (MTCNN O-Net, which keeps faces from 0.7) scores under this are low quality.</summary>
    public const float MinimumScore = 0.9f;

    /// <summary>The side of a face box that the floor applies to: its shorter side.</summary>
    public static float Side(RectangleF box) => Math.Min(box.Width, box.Height);

    public static bool IsLow(RectangleF box, float score) => Side(box) < MinimumSide || score < MinimumScore;

    /// <summary><see cref="IsLow"/> as an SQL condition on the catalog's faces columns (w, h, score), for counting in the database.</summary>
    public static string IsLowSql { get; } = string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"(w < {MinimumSide} OR h < {MinimumSide} OR score < {MinimumScore})");

    /// <summary>
    /// Whether a face may found a person of its own when faces are grouped into persons (it may always join one).
    /// A low-quality face (<see cref="IsLow"/>) may not, and the bar on size is higher than for results: a face whose shorter side is under half the aligned crop
    /// (<see cref="Alignment.FaceAligner.Size"/>) is upsampled more than twice before embedding, so its vector rests
    /// on detail the photo does not hold, and a person founded on it would gather look-alikes. The clustering figures
    /// in docs/RESULTS.md were measured with this rule.
    /// </summary>
    public static bool MayFoundPerson(RectangleF box, float score) => !IsLow(box, score) && Side(box) >= Alignment.FaceAligner.Size / 2f;
}
