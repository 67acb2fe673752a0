using System.Drawing;
using System.Runtime.InteropServices;
using SkiaSharp;

namespace Rvs.Imaging;

/// <summary>Part of a photo decoded at a finer scale: pixel (x, y) of <see cref="Image"/> is (Left + x, Top + y) of the photo at that scale.</summary>
public sealed record PhotoRegion(RgbImage Image, int ScaledWidth, int Left, int Top);

/// <summary>
/// Decodes only some regions of a JPEG at a chosen DCT scale, in one pass: the columns outside the regions are
/// cropped inside libjpeg-turbo (jpeg_crop_scanline) and the rows above, between and below them skipped or never
/// reached, so the small faces of a 12 MP photo cost a fraction of a full decode even when they lie far apart
/// (rows are only entropy-decoded, never transformed, unless a region holds them). Other formats, and JPEGs whose
/// EXIF orientation is not the default, fall back to a whole decode at the same scale (a region that is the whole
/// photo, for every region asked).
/// </summary>
internal static class RegionDecoder
{
    /// <param name="region">In pixels of the original (oriented) photo.</param>
    /// <param name="longSide">The long side the photo is decoded at (at least; the codec rounds up to an eighth).</param>
    public static PhotoRegion Decode(byte[] bytes, RectangleF region, int longSide) => Decode(bytes, [region], longSide)[0];

    /// <summary>Each of <paramref name="regions"/> (original pixels), in order, from one decode at <paramref name="longSide"/>.</summary>
    public static IReadOnlyList<PhotoRegion> Decode(byte[] bytes, IReadOnlyList<RectangleF> regions, int longSide)
    {
        ArgumentOutOfRangeException.ThrowIfZero(regions.Count);
        if (!HeifDecoder.IsHeif(bytes))
        {
            using var data = ImageDecoder.Borrow(bytes);
            using var codec = SKCodec.Create(data);
            if (codec is { EncodedFormat: SKEncodedImageFormat.Jpeg } && codec.EncodedOrigin is SKEncodedOrigin.TopLeft or SKEncodedOrigin.Default
                && TryDecodeRegions(codec, regions, longSide) is { } decoded)
            {
                return decoded;
            }
        }

        var whole = ImageDecoder.DecodeAtLeast(bytes, longSide);
        var region = new PhotoRegion(whole, whole.Width, 0, 0);
        return regions.Select(_ => region).ToList();
    }

    private static PhotoRegion[]? TryDecodeRegions(SKCodec codec, IReadOnlyList<RectangleF> regions, int longSide)
    {
        var info = codec.Info;
        CheckSize(info);
        var desired = Math.Min(1f, (float)longSide / Math.Max(info.Width, info.Height) + 0.0624f);
        var size = codec.GetScaledDimensions(desired);
        var scale = (float)size.Width / info.Width;
        var boxes = regions.Select(r => Clamp(r, scale, size.Width, size.Height)).ToList();
        var left = boxes.Min(b => b.Left);
        var width = boxes.Max(b => b.Right) - left;
        var target = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var options = new SKCodecOptions(new SKRectI(left, 0, left + width, size.Height));
        if (codec.StartScanlineDecode(target, options) != SKCodecResult.Success)
        {
            return null;
        }

        // libjpeg-turbo may widen the crop to whole DCT blocks; Skia's swizzler hands back exactly the subset.
        var rowBytes = width * 4;
        var bands = Bands(boxes);
        var buffer = Marshal.AllocHGlobal(rowBytes * bands.Max(b => b.Bottom - b.Top));
        try
        {
            var decoded = new PhotoRegion[boxes.Count];
            var row = 0;
            foreach (var band in bands)
            {
                if (band.Top > row && !codec.SkipScanlines(band.Top - row))
                {
                    return null;
                }

                var height = band.Bottom - band.Top;
                var rows = Math.Max(0, codec.GetScanlines(buffer, height, rowBytes));
                // Converted straight from the codec's buffer; rows it did not deliver (a truncated JPEG) stay black.
                var rgba = Delivered(buffer, rows * rowBytes);
                row = band.Bottom;
                for (var i = 0; i < boxes.Count; i++)
                {
                    var box = boxes[i];
                    if (box.Top >= band.Top && box.Bottom <= band.Bottom)
                    {
                        var image = ToRgb(rgba, rowBytes, box.Left - left, box.Top - band.Top, box.Right - box.Left, box.Bottom - box.Top);
                        decoded[i] = new PhotoRegion(image, size.Width, box.Left, box.Top);
                    }
                }
            }

            return decoded;
        }
        finally
        {
            Marshal.FreeHGlobal(buffer);
        }
    }

    /// <summary>The rows the boxes cover, as disjoint bands from top to bottom (boxes sharing rows share a band).</summary>
    private static List<(int Top, int Bottom)> Bands(List<(int Left, int Top, int Right, int Bottom)> boxes)
    {
        var bands = new List<(int Top, int Bottom)>();
        foreach (var box in boxes.OrderBy(b => b.Top))
        {
            if (bands.Count > 0 && box.Top <= bands[^1].Bottom)
            {
                bands[^1] = (bands[^1].Top, Math.Max(bands[^1].Bottom, box.Bottom));
            }
            else
            {
                bands.Add((box.Top, box.Bottom));
            }
        }

        return bands;
    }

    private static unsafe ReadOnlySpan<byte> Delivered(IntPtr buffer, int length) => new((void*)buffer, length);

    /// <summary>
    /// The <paramref name="width"/>x<paramref name="height"/> RGB image at (<paramref name="x"/>, <paramref name="y"/>)
    /// of an RGBA band; rows past the end of <paramref name="rgba"/> are left black.
    /// </summary>
    private static RgbImage ToRgb(ReadOnlySpan<byte> rgba, int rowBytes, int x, int y, int width, int height)
    {
        var rgb = new byte[width * height * 3];
        for (var r = 0; r < height && (y + r + 1) * rowBytes <= rgba.Length; r++)
        {
            // JPEG rows are opaque, so the shared conversion only repacks them (it composites nothing).
            PixelConversion.RgbaToRgb(rgba.Slice((y + r) * rowBytes + x * 4, width * 4), rgb.AsSpan(r * width * 3, width * 3));
        }

        return new RgbImage(width, height, rgb);
    }

    private static void CheckSize(SKImageInfo info) => ImageDecoder.CheckDeclaredSize(info.Width, info.Height);

    private static (int Left, int Top, int Right, int Bottom) Clamp(RectangleF region, float scale, int width, int height)
    {
        var left = Math.Clamp((int)MathF.Floor(region.Left * scale), 0, width - 1);
        var top = Math.Clamp((int)MathF.Floor(region.Top * scale), 0, height - 1);
        var right = Math.Clamp((int)MathF.Ceiling(region.Right * scale), left + 1, width);
        var bottom = Math.Clamp((int)MathF.Ceiling(region.Bottom * scale), top + 1, height);
        return (left, top, right, bottom);
    }
}
