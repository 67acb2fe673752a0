using System.Runtime.InteropServices;
using SkiaSharp;

namespace Rvs.Imaging;

/// <summary>
/// Decodes an image too big to hold whole (a 16000x16000 PNG is 1 GB of RGBA) one row at a time, averaging each
/// factor x factor block into one output pixel as the rows arrive. Memory is the reduced image plus one source row,
/// whatever the declared size. Used for codecs that cannot scale while decoding (PNG, GIF, BMP); JPEG and WebP
/// scale inside the codec instead.
/// </summary>
internal static class StreamedReduction
{
    /// <summary>The image reduced by an integer <paramref name="factor"/> (1 = full size), as unpremultiplied RGBA.</summary>
    public static SKBitmap Decode(SKCodec codec, int factor)
    {
        var info = codec.Info;
        var source = new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var start = codec.StartScanlineDecode(source);
        if (start != SKCodecResult.Success)
        {
            throw new ImageDecodeException(
                $"the image is too large to decode whole ({info.Width}x{info.Height}) and cannot be decoded row by row ({start})");
        }

        var width = (info.Width + factor - 1) / factor;
        var height = (info.Height + factor - 1) / factor;
        var sums = new uint[width * height * 4];
        var counts = new ushort[height];
        var rowBytes = info.Width * 4;
        var row = Marshal.AllocHGlobal(rowBytes);
        try
        {
            var bytes = new byte[rowBytes];
            for (var line = 0; line < info.Height; line++)
            {
                if (codec.GetScanlines(row, 1, rowBytes) < 1)
                {
                    // A truncated file: the rows decoded so far are kept, as the whole-image path does.
                    break;
                }

                Marshal.Copy(row, bytes, 0, rowBytes);
                var y = codec.GetOutputScanline(line) / factor;
                counts[y]++;
                Accumulate(bytes, sums.AsSpan(y * width * 4, width * 4), factor);
            }
        }
        finally
        {
            Marshal.FreeHGlobal(row);
        }

        return ToBitmap(sums, counts, width, height, info.Width, factor);
    }

    private static void Accumulate(ReadOnlySpan<byte> row, Span<uint> sums, int factor)
    {
        for (var x = 0; x < row.Length / 4; x++)
        {
            var o = x / factor * 4;
            var i = x * 4;
            sums[o] += row[i];
            sums[o + 1] += row[i + 1];
            sums[o + 2] += row[i + 2];
            sums[o + 3] += row[i + 3];
        }
    }

    private static SKBitmap ToBitmap(uint[] sums, ushort[] counts, int width, int height, int sourceWidth, int factor)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var pixels = bitmap.GetPixelSpan();
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var columns = Math.Min(factor, sourceWidth - x * factor);
                var n = (uint)Math.Max(1, columns * counts[y]);
                var o = (y * width + x) * 4;
                for (var c = 0; c < 4; c++)
                {
                    // Rows never decoded (a truncated file) have no samples and stay grey, as Skia shows them.
                    pixels[o + c] = counts[y] == 0 ? (byte)(c == 3 ? 255 : 128) : (byte)((sums[o + c] + n / 2) / n);
                }
            }
        }

        return bitmap;
    }
}
