using Rvs.Imaging;

namespace Rvs.Detection;

public interface IFaceDetector
{
    /// <summary>All faces in the photo, highest score first; an empty list when there are none.</summary>
    IReadOnlyList<DetectedFace> Detect(RgbImage image);
}
