using System.Drawing;
using SkiaSharp;

namespace Rvs.Bench;

/// <summary>One LFW face pasted into a scene: where it went (its detector box at LFW resolution, mapped) and who.</summary>
internal sealed record PastedFace(RectangleF Box, string Person, string SourcePath);

/// <summary>A made phone-size photo and its ground truth.</summary>
internal sealed record PhotoScene(byte[] Jpeg, IReadOnlyList<PastedFace> Faces);

/// <summary>An LFW photo that can be pasted: its bytes and the box of its labelled face at LFW resolution.</summary>
internal sealed record FaceSource(string Path, string Person, byte[] Bytes, RectangleF FaceBox);

/// <summary>
/// Makes 4032x3024 JPEG scenes like phone photos of groups, deterministically from a seed: the blurred corner of an
/// LFW photo as background and 1-6 LFW faces pasted on it, each face box 60-900 px wide (sizes spread evenly over the buckets
/// the benchmark reports), never overlapping. A face is pasted with the area around it (twice its box, clamped to
/// its photo) so it keeps its context, and its ground-truth box is the detector's box on the LFW photo, mapped.
/// </summary>
internal static class PhotoScenes
{
    public const int Width = 4032;
    public const int Height = 3024;

    /// <summary>Lower edges of the face-size buckets, in scene pixels; the last bucket ends at 900.</summary>
    public static readonly int[] Buckets = [60, 90, 150, 300, 600];

    public const int MaxFace = 900;

    public static PhotoScene Make(Random random, IReadOnlyList<FaceSource> faces, IReadOnlyList<byte[]> backgrounds)
    {
        using var canvasBitmap = new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using var canvas = new SKCanvas(canvasBitmap);
        DrawBackground(canvas, backgrounds[random.Next(backgrounds.Count)]);

        var placed = new List<SKRect>();
        var truth = new List<PastedFace>();
        var count = random.Next(1, 7);
        for (var i = 0; i < count; i++)
        {
            var source = faces[random.Next(faces.Count)];
            var bucket = random.Next(Buckets.Length);
            var low = Buckets[bucket];
            var high = bucket + 1 < Buckets.Length ? Buckets[bucket + 1] : MaxFace;
            var side = low + random.NextDouble() * (high - low);
            if (Paste(canvas, random, source, (float)side, placed) is { } box)
            {
                truth.Add(new PastedFace(box, source.Person, source.Path));
            }
        }

        using var image = SKImage.FromBitmap(canvasBitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 90);
        return new PhotoScene(data.ToArray(), truth);
    }

    private static void DrawBackground(SKCanvas canvas, byte[] photo)
    {
        // Blurred small, then stretched: the same look as blurring at full size, for a fraction of the work.
        using var source = SKBitmap.Decode(photo);
        using var small = new SKBitmap(new SKImageInfo(Width / 8, Height / 8, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var smallCanvas = new SKCanvas(small))
        using (var blur = new SKPaint { ImageFilter = SKImageFilter.CreateBlur(3, 3) })
        {
            using var sourceImage = SKImage.FromBitmap(source);
            // The top-left corner (a third of each side) is mostly background: a whole blurred LFW photo would
            // still hold one huge face, which every detector rightly finds.
            var corner = new SKRect(0, 0, source.Width / 3f, source.Height / 3f);
            smallCanvas.DrawImage(sourceImage, corner, new SKRect(0, 0, small.Width, small.Height), new SKSamplingOptions(SKFilterMode.Linear), blur);
        }

        using var smallImage = SKImage.FromBitmap(small);
        canvas.DrawImage(smallImage, new SKRect(0, 0, Width, Height), new SKSamplingOptions(SKFilterMode.Linear));
    }

    /// <summary>Pastes the face with its box <paramref name="side"/> px wide at a free random place; its scene box, or null if none was free.</summary>
    private static RectangleF? Paste(SKCanvas canvas, Random random, FaceSource source, float side, List<SKRect> placed)
    {
        using var photo = SKBitmap.Decode(source.Bytes);
        var box = source.FaceBox;
        var centreX = box.X + box.Width / 2;
        var centreY = box.Y + box.Height / 2;
        var crop = SKRect.Intersect(
            new SKRect(centreX - box.Width, centreY - box.Height, centreX + box.Width, centreY + box.Height),
            new SKRect(0, 0, photo.Width, photo.Height));
        var scale = side / box.Width;
        var tileWidth = crop.Width * scale;
        var tileHeight = crop.Height * scale;
        if (tileWidth >= Width || tileHeight >= Height)
        {
            return null;
        }

        for (var attempt = 0; attempt < 50; attempt++)
        {
            var left = (float)(random.NextDouble() * (Width - tileWidth));
            var top = (float)(random.NextDouble() * (Height - tileHeight));
            var tile = new SKRect(left, top, left + tileWidth, top + tileHeight);
            if (placed.Any(p => p.IntersectsWith(tile)))
            {
                continue;
            }

            placed.Add(tile);
            using var image = SKImage.FromBitmap(photo);
            canvas.DrawImage(image, crop, tile, new SKSamplingOptions(SKCubicResampler.Mitchell));
            return new RectangleF(left + (box.X - crop.Left) * scale, top + (box.Y - crop.Top) * scale, box.Width * scale, box.Height * scale);
        }

        return null;
    }
}
