using System.Drawing;
using System.Runtime.CompilerServices;
using Rvs.Imaging;
using SkiaSharp;

namespace Rvs.Tests.Imaging;

public class RegionDecoderTests
{
    /// <summary>A 1600x1200 JPEG of smooth gradients, so the encoded bytes are spread evenly over the rows.</summary>
    private static byte[] GradientJpeg()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(1600, 1200, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var pixels = bitmap.GetPixelSpan();
        for (var y = 0; y < bitmap.Height; y++)
        {
            for (var x = 0; x < bitmap.Width; x++)
            {
                var i = (y * bitmap.Width + x) * 4;
                (pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3]) = ((byte)(x * 7), (byte)(y * 5), (byte)((x + y) * 3), 255);
            }
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }

    [Fact]
    public void a_truncated_jpeg_gives_its_decoded_rows_and_black_below_them()
    {
        var intact = GradientJpeg();
        var truncated = intact[..(intact.Length / 2)];
        RectangleF[] asked = [new(101, 50, 333, 200), new(1201, 1000, 301, 150)];

        var whole = RegionDecoder.Decode(intact, asked, 800);
        var cut = RegionDecoder.Decode(truncated, asked, 800);

        Assert.Equal(whole[0].Image.Pixels, cut[0].Image.Pixels);
        Assert.Equal((whole[1].Left, whole[1].Top, whole[1].Image.Width), (cut[1].Left, cut[1].Top, cut[1].Image.Width));
        Assert.All(cut[1].Image.Pixels, b => Assert.Equal(0, b));
        Assert.Contains(whole[1].Image.Pixels, b => b != 0);
    }

    [Fact]
    public void decoding_leaves_the_encoded_bytes_unpinned()
    {
        // Both decoders hand Skia the caller's array pinned rather than a copy; a pin never released would keep the
        // array alive (and the heap unable to compact around it) for good.
        var decoded = DecodeCopies(GradientJpeg());
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.All(decoded, copy => Assert.False(copy.IsAlive));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference[] DecodeCopies(byte[] jpeg)
    {
        var whole = jpeg.ToArray();
        var regions = jpeg.ToArray();
        Assert.Equal(1600, ImageDecoder.Decode(whole, 2048).Image.Width);
        Assert.Equal(400, RegionDecoder.Decode(regions, new RectangleF(0, 0, 800, 600), 800).Image.Width);
        return [new WeakReference(whole), new WeakReference(regions)];
    }
}
