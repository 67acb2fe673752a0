using System.Drawing;

namespace Rvs.Imaging;

/// <summary>
/// A photo as decoded for the pipeline. Large photos are decoded at a reduced size for detection (see
/// <see cref="ImageDecoder.DefaultMaxSide"/>); <see cref="Scale"/> maps pipeline pixels back to the original, and
/// <see cref="Finer"/> decodes again at a higher resolution where a small face needs more pixels to be aligned.
/// </summary>
public sealed record DecodedPhoto(RgbImage Image, int OriginalWidth, int OriginalHeight)
{
    /// <summary>Multiply a coordinate in <see cref="Image"/> by this to get a coordinate in the original photo.</summary>
    public float Scale => (float)OriginalWidth / Image.Width;

    /// <summary>The encoded photo, kept when <see cref="Image"/> is reduced so that a finer decode is possible.</summary>
    public byte[]? Encoded { get; init; }

    /// <summary>
    /// The photo with a long side of at least <paramref name="longSide"/> pixels (never more than the original),
    /// oriented like <see cref="Image"/>; <see cref="Image"/> itself when it is already that fine or there are no
    /// encoded bytes to decode again.
    /// </summary>
    public RgbImage Finer(int longSide)
    {
        var current = Math.Max(Image.Width, Image.Height);
        if (Encoded is null || longSide <= current || current >= Math.Max(OriginalWidth, OriginalHeight))
        {
            return Image;
        }

        return ImageDecoder.DecodeAtLeast(Encoded, longSide);
    }

    /// <summary>
    /// Each of <paramref name="regions"/> (original-photo pixels), in order, decoded with the photo's long side at
    /// least <paramref name="longSide"/>, in one decode: only those parts are decoded where the codec allows (JPEG),
    /// else the whole photo. Null when <see cref="Image"/> is already that fine or there are no encoded bytes to
    /// decode again.
    /// </summary>
    public IReadOnlyList<PhotoRegion>? FinerRegions(IReadOnlyList<RectangleF> regions, int longSide)
    {
        var current = Math.Max(Image.Width, Image.Height);
        if (Encoded is null || regions.Count == 0 || longSide <= current || current >= Math.Max(OriginalWidth, OriginalHeight))
        {
            return null;
        }

        return RegionDecoder.Decode(Encoded, regions, longSide);
    }
}
