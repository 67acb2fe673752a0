using SkiaSharp;

namespace Rvs.Imaging;

/// <summary>
/// Turns encoded bytes (JPEG, PNG, WebP, BMP, GIF, …) into <see cref="RgbImage"/>. The format is sniffed from the
/// bytes, never from a file name. EXIF orientation is applied, so boxes match what a viewer shows.
/// </summary>
public static class ImageDecoder
{
    /// <summary>Photos whose longer side exceeds this are decoded downscaled (landmarks are mapped back).</summary>
    public const int DefaultMaxSide = 2048;

    /// <summary>Refuse to even start on images claiming more pixels than this (decompression bombs).</summary>
    public const long MaxSourcePixels = 1L << 30;

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

    public static DecodedPhoto Decode(ReadOnlySpan<byte> bytes, int maxSide = DefaultMaxSide)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSide, 16);
        if (bytes.IsEmpty)
        {
            throw new ImageDecodeException("the file is empty");
        }

        using var data = SKData.CreateCopy(bytes);
        using var stream = new SKMemoryStream(data);
        using var codec = SKCodec.Create(stream, out var createResult)
            ?? throw new ImageDecodeException(createResult == SKCodecResult.IncompleteInput
                ? "the image is truncated"
                : "not an image in a supported format (JPEG, PNG, WebP, BMP, GIF)");

        var info = codec.Info;
        if ((long)info.Width * info.Height > MaxSourcePixels)
        {
            throw new ImageDecodeException($"the image is too large to decode ({info.Width}x{info.Height})", tooLarge: true);
        }

        var (originalWidth, originalHeight) = IsTransposing(codec.EncodedOrigin)
            ? (info.Height, info.Width)
            : (info.Width, info.Height);

        // Each step hands back its input unchanged when it has nothing to do, so a typical photo is copied once.
        var bitmap = DecodeScaled(codec, maxSide);
        try
        {
            bitmap = Replace(bitmap, ApplyOrigin(bitmap, codec.EncodedOrigin));
            bitmap = Replace(bitmap, FitWithin(bitmap, maxSide));
            return new DecodedPhoto(ToRgb(bitmap), originalWidth, originalHeight);
        }
        finally
        {
            bitmap.Dispose();
        }
    }

    /// <summary>Decodes, letting the codec shrink by a power of two when it can (JPEG's DCT scaling is nearly free).</summary>
    private static SKBitmap DecodeScaled(SKCodec codec, int maxSide)
    {
        var info = codec.Info;
        var longSide = Math.Max(info.Width, info.Height);
        var size = longSide > maxSide ? codec.GetScaledDimensions((float)maxSide / longSide) : info.Size;
        if (size.Width < 1 || size.Height < 1)
        {
            size = info.Size;
        }

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
        return source.Resize(info, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
    }

    private static RgbImage ToRgb(SKBitmap bitmap)
    {
        var rgba = bitmap.GetPixelSpan();
        var rgb = new byte[bitmap.Width * bitmap.Height * 3];
        for (int i = 0, j = 0; j < rgb.Length; i += 4, j += 3)
        {
            // Transparent areas are composited over white, as a browser would show them.
            var alpha = rgba[i + 3];
            if (alpha == 255)
            {
                rgb[j] = rgba[i];
                rgb[j + 1] = rgba[i + 1];
                rgb[j + 2] = rgba[i + 2];
            }
            else
            {
                rgb[j] = (byte)((rgba[i] * alpha + 255 * (255 - alpha)) / 255);
                rgb[j + 1] = (byte)((rgba[i + 1] * alpha + 255 * (255 - alpha)) / 255);
                rgb[j + 2] = (byte)((rgba[i + 2] * alpha + 255 * (255 - alpha)) / 255);
            }
        }

        return new RgbImage(bitmap.Width, bitmap.Height, rgb);
    }
}
