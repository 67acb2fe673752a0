using Rvs.Detection;
using Rvs.Imaging;

namespace Rvs.Alignment;

/// <summary>A face warped onto the canonical 112×112 template, ready for the embedding network.</summary>
public sealed record AlignedFace(DetectedFace Face, RgbImage Image);
