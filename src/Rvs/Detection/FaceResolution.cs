using Rvs.Imaging;

namespace Rvs.Detection;

/// <summary>
/// How finely a photo is looked at. Detection runs on the reduced decode (<see cref="ImageDecoder.DefaultMaxSide"/>,
/// about 1,000 px), where MTCNN's pyramid costs a sixteenth of what 12 megapixels would; a face too small there to
/// be aligned well is aligned from a second, finer decode (<see cref="DecodedPhoto.Finer"/>).
/// </summary>
public sealed record FaceResolution
{
    /// <summary>
    /// Smallest face side to look for, in pixels of the original photo. Null (the default) looks down to the
    /// detector's <see cref="MtcnnOptions.MinFaceSize"/> (20) pixels on photos up to 1024 px, and down to
    /// <see cref="ReducedMinFaceSize"/> (24) pixels of the reduced detection decode of larger ones (96 px on a
    /// 4032x3024 photo, detected at 1008x756). A smaller value is looked for in the same image with a deeper
    /// pyramid, or in a finer decode below 12 px there.
    /// </summary>
    public int? MinFaceSize { get; init; }

    /// <summary>
    /// The default smallest face on a reduced decode, in its pixels. 24 rather than 20 takes a third off P-Net's
    /// pyramid (the first level is (20/24)^2 of the size); on the 12 MP scenes of `Rvs.Bench photos --min-faces
    /// 88,96` every pasted face of 60-90 px was still found (P-Net's cell answers to faces somewhat under the
    /// smallest level, and R-Net and O-Net regress their boxes), and the floor for phone photos is 90 px.
    /// </summary>
    public const int ReducedMinFaceSize = 24;

    /// <summary>
    /// Faces at least this many pixels wide in the detection image are aligned from it; narrower ones from a decode
    /// fine enough to give them this width (or the original photo). 96 px is about the face box of the 112x112
    /// alignment template, so the aligned crop is not upsampled.
    /// </summary>
    public int AlignmentFaceSide { get; init; } = 96;

    /// <summary>The image to detect on and the smallest face side in its pixels.</summary>
    public (RgbImage Image, float MinFaceSize) DetectionView(DecodedPhoto photo, MtcnnOptions detector)
    {
        if (MinFaceSize is not { } wanted)
        {
            var reduced = photo.Image.Width < photo.OriginalWidth;
            return (photo.Image, reduced ? Math.Max(detector.MinFaceSize, ReducedMinFaceSize) : detector.MinFaceSize);
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(wanted, 1);
        var inImage = wanted / photo.Scale;
        if (inImage >= MtcnnDetector.SmallestFace)
        {
            return (photo.Image, inImage);
        }

        // The reduced decode cannot show a face this small at P-Net's 12 px: detect on a finer one.
        var longSide = Math.Max(photo.Image.Width, photo.Image.Height);
        var image = photo.Finer((int)Math.Ceiling(longSide * MtcnnDetector.SmallestFace / inImage));
        return (image, wanted * (float)image.Width / photo.OriginalWidth);
    }

    /// <summary>Every face of the photo, in original-photo pixels, highest score first.</summary>
    public IReadOnlyList<DetectedFace> Detect(MtcnnDetector detector, DecodedPhoto photo)
    {
        var (image, minFace) = DetectionView(photo, detector.Options);
        var toOriginal = (float)photo.OriginalWidth / image.Width;
        return detector.Detect(image, minFace).Select(f => f.Scaled(toOriginal)).ToList();
    }
}
