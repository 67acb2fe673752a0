using System.Drawing;
using SkiaSharp;

namespace Rvs.Imaging;

/// <summary>A box (and optional points and caption) to draw over a photo.</summary>
public sealed record ImageMark(RectangleF Box, IReadOnlyList<PointF> Points, string? Caption = null, bool Highlight = false);

/// <summary>Encodes <see cref="RgbImage"/>s to PNG/JPEG, optionally with boxes and points drawn over them.</summary>
public static class ImageEncoder
{
    public static byte[] Encode(RgbImage image, SKEncodedImageFormat format = SKEncodedImageFormat.Png, int quality = 90, IReadOnlyList<ImageMark>? marks = null)
    {
        using var bitmap = ToBitmap(image);
        if (marks is { Count: > 0 })
        {
            Draw(bitmap, marks);
        }

        using var skImage = SKImage.FromBitmap(bitmap);
        using var data = skImage.Encode(format, quality);
        return data.ToArray();
    }

    /// <summary>The image as an opaque RGBA Skia bitmap, for drawing and encoding.</summary>
    public static SKBitmap ToBitmap(RgbImage image)
    {
        var bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rgba = bitmap.GetPixelSpan();
        unsafe
        {
            fixed (byte* target = rgba)
            {
                var pixels = image.Pixels;
                for (int i = 0, j = 0; i < pixels.Length; i += 3, j += 4)
                {
                    target[j] = pixels[i];
                    target[j + 1] = pixels[i + 1];
                    target[j + 2] = pixels[i + 2];
                    target[j + 3] = 255;
                }
            }
        }

        return bitmap;
    }

    private static void Draw(SKBitmap bitmap, IReadOnlyList<ImageMark> marks)
    {
        using var canvas = new SKCanvas(bitmap);
        var stroke = Math.Max(2f, Math.Min(bitmap.Width, bitmap.Height) / 200f);
        using var font = new SKFont(SKTypeface.Default, Math.Max(12f, stroke * 6));
        foreach (var mark in marks)
        {
            var colour = mark.Highlight ? new SKColor(0, 200, 83) : new SKColor(255, 193, 7);
            using var pen = new SKPaint { Color = colour, Style = SKPaintStyle.Stroke, StrokeWidth = stroke, IsAntialias = true };
            using var dot = new SKPaint { Color = new SKColor(233, 30, 99), Style = SKPaintStyle.Fill, IsAntialias = true };
            canvas.DrawRect(mark.Box.X, mark.Box.Y, mark.Box.Width, mark.Box.Height, pen);
            foreach (var p in mark.Points)
            {
                canvas.DrawCircle(p.X, p.Y, stroke * 1.2f, dot);
            }

            if (!string.IsNullOrEmpty(mark.Caption))
            {
                using var text = new SKPaint { Color = colour, IsAntialias = true };
                canvas.DrawText(mark.Caption, mark.Box.X, Math.Max(font.Size, mark.Box.Y - stroke), SKTextAlign.Left, font, text);
            }
        }
    }
}
