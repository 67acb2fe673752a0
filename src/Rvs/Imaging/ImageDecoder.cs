using System.Runtime.InteropServices;
using SkiaSharp;

namespace Rvs.Imaging;

/// <summary>
/// Turns encoded bytes (JPEG, PNG, WebP, BMP, GIF, HEIC, AVIF) into <see cref="RgbImage"/>. The format is sniffed
/// from the bytes, never from a file name. EXIF orientation is applied, so boxes match what a viewer shows.
/// Declared dimensions are checked against <see cref="DecodeLimits"/> before any pixel memory is allocated.
/// </summary>
public static class ImageDecoder
{
    /// <summary>
    /// Photos whose longer side exceeds this are decoded downscaled for detection (landmarks are mapped back, and
    /// small faces are aligned from a finer decode: <see cref="DecodedPhoto.FinerRegions"/>). On 12 MP scenes 1024
    /// (JPEG's 1/4 scale, 1008x756 for 4032x3024, with no resize after it) ran 2.3-3.5x the speed of the old 2048
    /// with every pasted face still found, against 1.2-1.8x for 1280, 1512 and 2016 in the 3.5x run
    /// (`Rvs.Bench photos --sides 1024,1280,1512,2016`, docs/BENCHMARKS.md).
    /// </summary>
    public const int DefaultMaxSide = 1024;

    public const string SupportedFormats = "JPEG, PNG, WebP, BMP, GIF, HEIC, AVIF";

    public static DecodedPhoto DecodeFile(string path, int maxSide = DefaultMaxSide)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageDecodeException($"cannot read '{path}': {e.Message}", e);
        }

        return Decode(bytes, maxSide);
    }

    public static DecodedPhoto Decode(ReadOnlySpan<byte> bytes, int maxSide = DefaultMaxSide) => Decode(bytes.ToArray(), maxSide);

    /// <summary>Decodes with the long side fitted within <paramref name="maxSide"/>.</summary>
    public static DecodedPhoto Decode(byte[] bytes, int maxSide = DefaultMaxSide)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSide, 16);
        return DecodeCore(bytes, maxSide, fit: true);
    }

    /// <summary>
    /// The photo at the codec's cheapest scale whose long side is at least <paramref name="longSide"/> (or full
    /// size), without resampling it further: for aligning faces that the detection decode shows too small.
    /// </summary>
    public static RgbImage DecodeAtLeast(byte[] bytes, int longSide) => DecodeCore(bytes, longSide, fit: false).Image;

    /// <summary>Refuses declared dimensions over <see cref="DecodeLimits.MaxSourcePixels"/> with a message a user can act on.</summary>
    internal static void CheckDeclaredSize(int width, int height)
    {
        if (width < 1 || height < 1)
        {
            throw new ImageDecodeException($"the image declares no pixels ({width}x{height})");
        }

        if ((long)width * height > DecodeLimits.MaxSourcePixels)
        {
            throw new ImageDecodeException(
                $"the image is too large to decode ({width}x{height} pixels; the limit is {DecodeLimits.MaxSourcePixels / 1_000_000} megapixels)", tooLarge: true);
        }
    }

    /// <summary>Refuses a decode that would hold more than <see cref="DecodeLimits.MaxWholeDecodePixels"/> at once.</summary>
    internal static void CheckWholeDecode(int width, int height, int decodedWidth, int decodedHeight, string format)
    {
        if ((long)decodedWidth * decodedHeight > DecodeLimits.MaxWholeDecodePixels)
        {
            throw new ImageDecodeException(
                $"the image is too large to decode ({width}x{height} pixels; {format} is decoded at {decodedWidth}x{decodedHeight}, " +
                $"over the limit of {DecodeLimits.MaxWholeDecodePixels / 1_000_000} megapixels held at once)", tooLarge: true);
        }
    }

    /// <summary>
    /// Skia data over <paramref name="bytes"/> without copying them (a 12 MP JPEG is several MB, and it is read again
    /// when small faces take a finer decode); the array stays pinned until Skia releases the data.
    /// </summary>
    internal static SKData Borrow(byte[] bytes)
    {
        var pin = GCHandle.Alloc(bytes, GCHandleType.Pinned);
        try
        {
            return SKData.Create(pin.AddrOfPinnedObject(), bytes.Length, (_, _) => pin.Free())
                ?? throw new ImageDecodeException("the image could not be read");
        }
        catch
        {
            pin.Free();
            throw;
        }
    }

    private static DecodedPhoto DecodeCore(byte[] bytes, int targetSide, bool fit)
    {
        if (bytes.Length == 0)
        {
            throw new ImageDecodeException("the file is empty");
        }

        if (HeifDecoder.IsHeif(bytes))
        {
            return HeifDecoder.Decode(bytes, fit ? targetSide : null);
        }

        using var data = Borrow(bytes);
        using var stream = new SKMemoryStream(data);
        using var codec = SKCodec.Create(stream, out var createResult)
            ?? throw new ImageDecodeException(createResult == SKCodecResult.IncompleteInput
                ? "the image is truncated"
                : $"not an image in a supported format ({SupportedFormats})");

        var info = codec.Info;
        CheckDeclaredSize(info.Width, info.Height);
        var (originalWidth, originalHeight) = IsTransposing(codec.EncodedOrigin)
            ? (info.Height, info.Width)
            : (info.Width, info.Height);

        using var slot = LargeDecodeGate.EnterIfLarge((long)info.Width * info.Height);

        // Each step hands back its input unchanged when it has nothing to do, so a typical photo is copied once.
        var bitmap = DecodeScaled(codec, targetSide, atLeast: !fit);
        try
        {
            bitmap = Replace(bitmap, ApplyOrigin(bitmap, codec.EncodedOrigin));
            if (fit)
            {
                bitmap = Replace(bitmap, FitWithin(bitmap, targetSide));
            }

            var reduced = bitmap.Width < originalWidth;
            return new DecodedPhoto(ToRgb(bitmap), originalWidth, originalHeight) { Encoded = reduced ? bytes : null };
        }
        finally
        {
            bitmap.Dispose();
        }
    }

    /// <summary>
    /// Decodes at the codec's scale nearest to <paramref name="targetSide"/> (at least it, with <paramref name="atLeast"/>),
    /// letting the codec shrink where it can (JPEG's DCT scaling by n/8 is nearly free). A format that cannot shrink while
    /// decoding is refused before allocating when its whole image is over <see cref="DecodeLimits.MaxWholeDecodePixels"/>.
    /// </summary>
    private static SKBitmap DecodeScaled(SKCodec codec, int targetSide, bool atLeast)
    {
        var info = codec.Info;
        var longSide = Math.Max(info.Width, info.Height);

        // Skia's JPEG codec rounds the requested scale to the nearest eighth, which may land below the target;
        // asking for just under one sixteenth more makes it round up instead when the target is a minimum.
        var scale = (float)targetSide / longSide + (atLeast ? 0.0624f : 0f);
        var size = longSide > targetSide ? codec.GetScaledDimensions(Math.Min(1f, scale)) : info.Size;
        if (size.Width < 1 || size.Height < 1)
        {
            size = info.Size;
        }

        CheckWholeDecode(info.Width, info.Height, size.Width, size.Height, codec.EncodedFormat.ToString().ToUpperInvariant());
        var target = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var bitmap = new SKBitmap(target);
        var result = codec.GetPixels(target, bitmap.GetPixels());
        if (result is SKCodecResult.Success or SKCodecResult.IncompleteInput)
        {
            // A truncated JPEG still yields its decoded rows (the rest is grey); a photo viewer shows the same,
            // and refusing it would lose a usable face.
            return bitmap;
        }

        bitmap.Dispose();
        throw new ImageDecodeException($"the image could not be decoded ({result})");
    }

    private static SKBitmap Replace(SKBitmap current, SKBitmap next)
    {
        if (!ReferenceEquals(current, next))
        {
            current.Dispose();
        }

        return next;
    }

    private static bool IsTransposing(SKEncodedOrigin origin) =>
        origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;

    private static SKBitmap ApplyOrigin(SKBitmap source, SKEncodedOrigin origin)
    {
        if (origin is SKEncodedOrigin.TopLeft or SKEncodedOrigin.Default)
        {
            return source;
        }

        var transposed = IsTransposing(origin);
        var width = transposed ? source.Height : source.Width;
        var height = transposed ? source.Width : source.Height;
        var result = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using var canvas = new SKCanvas(result);
        canvas.SetMatrix(OriginMatrix(origin, source.Width, source.Height));
        canvas.DrawBitmap(source, 0, 0);
        return result;
    }

    private static SKMatrix OriginMatrix(SKEncodedOrigin origin, int w, int h) => origin switch
    {
        SKEncodedOrigin.TopRight => new SKMatrix(-1, 0, w, 0, 1, 0, 0, 0, 1),
        SKEncodedOrigin.BottomRight => new SKMatrix(-1, 0, w, 0, -1, h, 0, 0, 1),
        SKEncodedOrigin.BottomLeft => new SKMatrix(1, 0, 0, 0, -1, h, 0, 0, 1),
        SKEncodedOrigin.LeftTop => new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1),
        SKEncodedOrigin.RightTop => new SKMatrix(0, -1, h, 1, 0, 0, 0, 0, 1),
        SKEncodedOrigin.RightBottom => new SKMatrix(0, -1, h, -1, 0, w, 0, 0, 1),
        SKEncodedOrigin.LeftBottom => new SKMatrix(0, 1, 0, -1, 0, w, 0, 0, 1),
        _ => SKMatrix.Identity,
    };

    private static SKBitmap FitWithin(SKBitmap source, int maxSide)
    {
        var longSide = Math.Max(source.Width, source.Height);
        if (longSide <= maxSide)
        {
            return source;
        }

        var scale = (double)maxSide / longSide;
        var info = new SKImageInfo(
            Math.Max(1, (int)Math.Round(source.Width * scale)),
            Math.Max(1, (int)Math.Round(source.Height * scale)),
            SKColorType.Rgba8888,
            SKAlphaType.Unpremul);
        // Mipmaps only pay off when shrinking by 2x or more; for the usual small step after the codec's own
        // scaling (e.g. 1512 -> 1280) building them is wasted work and plain bilinear is enough.
        var mipmaps = scale <= 0.5 ? SKMipmapMode.Linear : SKMipmapMode.None;
        return source.Resize(info, new SKSamplingOptions(SKFilterMode.Linear, mipmaps));
    }

    private static RgbImage ToRgb(SKBitmap bitmap)
    {
        var rgb = new byte[bitmap.Width * bitmap.Height * 3];
        PixelConversion.RgbaToRgb(bitmap.GetPixelSpan(), rgb);
        return new RgbImage(bitmap.Width, bitmap.Height, rgb);
    }
}
