using Rvs.Imaging;

namespace Rvs.Detection;

public interface IFaceDetector
{
    /// <summary>
    /// All faces in the photo, largest first (the numbering every surface shows: face 0 is the largest); an empty list
    /// when there are none.
    /// </summary>
    IReadOnlyList<DetectedFace> Detect(RgbImage image);
}
