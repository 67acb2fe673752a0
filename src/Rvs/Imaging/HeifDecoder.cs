using ImageMagick;

namespace Rvs.Imaging;

/// <summary>
/// HEIC/HEIF and AVIF photos (what iPhones and many Android phones save), which SkiaSharp cannot read, decoded
/// through ImageMagick's libheif coder. Only files whose header says HEIF or AVIF come here; everything else stays
/// with SkiaSharp.
/// </summary>
internal static class HeifDecoder
{
    /// <summary>ISO-BMFF brands of still HEIF and AVIF images, at bytes 8..12 of the 'ftyp' box.</summary>
    private static readonly string[] Brands = ["heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1", "avif", "avis"];

    public static bool IsHeif(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 12 || !bytes[4..8].SequenceEqual("ftyp"u8))
        {
            return false;
        }

        var brand = System.Text.Encoding.ASCII.GetString(bytes[8..12]);
        return Brands.Contains(brand, StringComparer.Ordinal);
    }

    /// <summary>The photo oriented as a viewer shows it, its long side fitted within <paramref name="maxSide"/> when given.</summary>
    public static DecodedPhoto Decode(byte[] bytes, int? maxSide)
    {
        try
        {
            // The header's dimensions are checked before ImageMagick allocates any pixels.
            var header = new MagickImageInfo(bytes);
            var declared = (long)header.Width * header.Height;
            ImageDecoder.CheckDeclaredSize((int)header.Width, (int)header.Height);
            ImageDecoder.CheckWholeDecode((int)header.Width, (int)header.Height, (int)header.Width, (int)header.Height, "HEIF/AVIF");
            using var slot = LargeDecodeGate.EnterIfLarge(declared);
            using var image = new MagickImage(bytes);
            image.AutoOrient();
            var originalWidth = (int)image.Width;
            var originalHeight = (int)image.Height;
            var longSide = Math.Max(originalWidth, originalHeight);
            if (maxSide is { } side && longSide > side)
            {
                var scale = (double)side / longSide;
                image.Resize(new MagickGeometry(
                    (uint)Math.Max(1, Math.Round(originalWidth * scale)),
                    (uint)Math.Max(1, Math.Round(originalHeight * scale))) { IgnoreAspectRatio = true });
            }

            // Transparent areas go over white, as in the SkiaSharp path.
            image.BackgroundColor = MagickColors.White;
            image.Alpha(AlphaAction.Remove);
            using var pixels = image.GetPixelsUnsafe();
            var rgb = pixels.ToByteArray(PixelMapping.RGB)
                ?? throw new ImageDecodeException("the HEIF/AVIF image has no pixels");
            return new DecodedPhoto(new RgbImage((int)image.Width, (int)image.Height, rgb), originalWidth, originalHeight)
            {
                Encoded = bytes,
            };
        }
        catch (MagickException e)
        {
            throw new ImageDecodeException($"the HEIF/AVIF image could not be decoded: {FirstLine(e.Message)}", e);
        }
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
