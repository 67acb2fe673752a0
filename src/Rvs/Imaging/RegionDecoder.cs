using System.Drawing;
using System.Runtime.InteropServices;
using SkiaSharp;

namespace Rvs.Imaging;

/// <summary>Part of a photo decoded at a finer scale: pixel (x, y) of <see cref="Image"/> is (Left + x, Top + y) of the photo at that scale.</summary>
public sealed record PhotoRegion(RgbImage Image, int ScaledWidth, int Left, int Top);

/// <summary>
/// Decodes only a band of a JPEG at a chosen DCT scale: the columns outside the band are cropped inside
/// libjpeg-turbo (jpeg_crop_scanline) and the rows above it skipped, so a small face of a 12 MP photo costs a
/// fraction of a full decode. Other formats, and JPEGs whose EXIF orientation is not the default, fall back to a
/// whole decode at the same scale (a region that is the whole photo).
/// </summary>
internal static class RegionDecoder
{
    /// <param name="region">In pixels of the original (oriented) photo.</param>
    /// <param name="longSide">The long side the photo is decoded at (at least; the codec rounds up to an eighth).</param>
    public static PhotoRegion Decode(byte[] bytes, RectangleF region, int longSide)
    {
        if (!HeifDecoder.IsHeif(bytes))
        {
            using var data = SKData.CreateCopy(bytes);
            using var codec = SKCodec.Create(data);
            if (codec is { EncodedFormat: SKEncodedImageFormat.Jpeg } && codec.EncodedOrigin is SKEncodedOrigin.TopLeft or SKEncodedOrigin.Default
                && TryDecodeBand(codec, region, longSide) is { } band)
            {
                return band;
            }
        }

        var whole = ImageDecoder.DecodeAtLeast(bytes, longSide);
        return new PhotoRegion(whole, whole.Width, 0, 0);
    }

    private static PhotoRegion? TryDecodeBand(SKCodec codec, RectangleF region, int longSide)
    {
        var info = codec.Info;
        CheckSize(info);
        var desired = Math.Min(1f, (float)longSide / Math.Max(info.Width, info.Height) + 0.0624f);
        var size = codec.GetScaledDimensions(desired);
        var scale = (float)size.Width / info.Width;
        var (left, top, width, height) = Clamp(region, scale, size.Width, size.Height);
        var target = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var options = new SKCodecOptions(new SKRectI(left, 0, left + width, size.Height));
        if (codec.StartScanlineDecode(target, options) != SKCodecResult.Success)
        {
            return null;
        }

        // libjpeg-turbo may widen the crop to whole DCT blocks; Skia's swizzler hands back exactly the subset.
        var rowBytes = width * 4;
        var buffer = Marshal.AllocHGlobal(rowBytes * height);
        try
        {
            if (top > 0 && !codec.SkipScanlines(top))
            {
                return null;
            }

            var rows = codec.GetScanlines(buffer, height, rowBytes);
            var rgba = new byte[rowBytes * height];
            Marshal.Copy(buffer, rgba, 0, Math.Max(0, rows) * rowBytes);
            var rgb = new byte[width * height * 3];
            for (int i = 0, j = 0; j < rgb.Length; i += 4, j += 3)
            {
                rgb[j] = rgba[i];
                rgb[j + 1] = rgba[i + 1];
                rgb[j + 2] = rgba[i + 2];
            }

            return new PhotoRegion(new RgbImage(width, height, rgb), size.Width, left, top);
        }
        finally
        {
            Marshal.FreeHGlobal(buffer);
        }
    }

    private static void CheckSize(SKImageInfo info) => ImageDecoder.CheckDeclaredSize(info.Width, info.Height);

    private static (int Left, int Top, int Width, int Height) Clamp(RectangleF region, float scale, int width, int height)
    {
        var left = Math.Clamp((int)MathF.Floor(region.Left * scale), 0, width - 1);
        var top = Math.Clamp((int)MathF.Floor(region.Top * scale), 0, height - 1);
        var right = Math.Clamp((int)MathF.Ceiling(region.Right * scale), left + 1, width);
        var bottom = Math.Clamp((int)MathF.Ceiling(region.Bottom * scale), top + 1, height);
        return (left, top, right - left, bottom - top);
    }
}
