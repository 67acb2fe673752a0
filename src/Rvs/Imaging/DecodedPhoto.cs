namespace Rvs.Imaging;

/// <summary>
/// A photo as decoded for the pipeline. Very large photos are decoded at a reduced size (detection gains nothing
/// from 100 megapixels and memory would suffer); <see cref="Scale"/> maps pipeline pixels back to the original.
/// </summary>
public sealed record DecodedPhoto(RgbImage Image, int OriginalWidth, int OriginalHeight)
{
    /// <summary>Multiply a coordinate in <see cref="Image"/> by this to get a coordinate in the original photo.</summary>
    public float Scale => (float)OriginalWidth / Image.Width;
}
