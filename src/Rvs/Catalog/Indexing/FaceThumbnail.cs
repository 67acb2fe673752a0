using System.Drawing;
using Rvs.Imaging;
using SkiaSharp;

namespace Rvs.Catalog;

/// <summary>Small JPEG crops of faces, for result pages that should not load whole photos.</summary>
public static class FaceThumbnail
{
    public const int DefaultSize = 112;

    /// <summary>The photo as a Skia image, made once per photo and shared by all its faces.</summary>
    internal static SKImage ToSkImage(RgbImage image)
    {
        using var bitmap = ImageEncoder.ToBitmap(image);
        return SKImage.FromBitmap(bitmap);
    }

    /// <summary>
    /// A square crop centred on the face with some margin (hair and chin help a person recognise a face), scaled to
    /// <paramref name="size"/>. <paramref name="box"/> is in pixels of <paramref name="photo"/>. Parts outside the
    /// photo are grey.
    /// </summary>
    internal static byte[] Encode(SKImage photo, RectangleF box, int size, int quality = 80)
    {
        var side = Math.Max(1f, Math.Max(box.Width, box.Height) * 1.4f);
        var cx = box.X + box.Width / 2;
        var cy = box.Y + box.Height / 2;
        var source = new SKRect(cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2);
        using var surface = SKSurface.Create(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(new SKColor(128, 128, 128));
        canvas.DrawImage(photo, source, new SKRect(0, 0, size, size), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        using var snapshot = surface.Snapshot();
        using var encoded = snapshot.Encode(SKEncodedImageFormat.Jpeg, quality);
        return encoded.ToArray();
    }
}
