using System.Numerics;

namespace Rvs.Imaging;

/// <summary>
/// Bilinear resampling of an <see cref="RgbImage"/> through an affine map. One routine serves resizing, cropping
/// and face alignment, so every stage samples pixels the same way (pixel centres at +0.5, edges replicated).
/// </summary>
public static class ImageWarp
{
    /// <summary>
    /// Makes a <paramref name="width"/>×<paramref name="height"/> image whose pixel (x, y) is the source sampled at
    /// <paramref name="destinationToSource"/> applied to (x, y). Points outside the source take the nearest edge pixel.
    /// </summary>
    public static RgbImage Warp(RgbImage source, Matrix3x2 destinationToSource, int width, int height)
    {
        if (destinationToSource is { M12: 0, M21: 0 })
        {
            return Scale(source, destinationToSource, width, height);
        }

        return WarpEachPixel(source, destinationToSource, width, height);
    }

    /// <summary><see cref="Warp"/> for any affine map, working out each output pixel's source position on its own.</summary>
    internal static RgbImage WarpEachPixel(RgbImage source, Matrix3x2 destinationToSource, int width, int height)
    {
        var output = new byte[width * height * 3];
        var src = source.Pixels;
        var maxX = source.Width - 1;
        var maxY = source.Height - 1;
        var stride = source.Width * 3;
        var m = destinationToSource;
        for (var y = 0; y < height; y++)
        {
            var rowOut = y * width * 3;
            for (var x = 0; x < width; x++)
            {
                var sx = m.M11 * x + m.M21 * y + m.M31;
                var sy = m.M12 * x + m.M22 * y + m.M32;
                var x0f = MathF.Floor(sx);
                var y0f = MathF.Floor(sy);
                var fx = sx - x0f;
                var fy = sy - y0f;
                var x0 = Math.Clamp((int)x0f, 0, maxX);
                var x1 = Math.Clamp((int)x0f + 1, 0, maxX);
                var y0 = Math.Clamp((int)y0f, 0, maxY);
                var y1 = Math.Clamp((int)y0f + 1, 0, maxY);
                var p00 = y0 * stride + x0 * 3;
                var p01 = y0 * stride + x1 * 3;
                var p10 = y1 * stride + x0 * 3;
                var p11 = y1 * stride + x1 * 3;
                var w00 = (1 - fx) * (1 - fy);
                var w01 = fx * (1 - fy);
                var w10 = (1 - fx) * fy;
                var w11 = fx * fy;
                var o = rowOut + x * 3;
                for (var c = 0; c < 3; c++)
                {
                    var v = src[p00 + c] * w00 + src[p01 + c] * w01 + src[p10 + c] * w10 + src[p11 + c] * w11;
                    output[o + c] = (byte)Math.Clamp((int)(v + 0.5f), 0, 255);
                }
            }
        }

        return new RgbImage(width, height, output);
    }

    /// <summary>
    /// <see cref="Warp"/> for a map without rotation or shear (resizing, cropping, mirroring: the image pyramid),
    /// with each column's and row's source positions and weights worked out once instead of at every pixel. The
    /// arithmetic is Warp's, in the same order, so the pixels are the same to the bit. With
    /// <paramref name="transposed"/> the result is stored column after column (a <paramref name="height"/> x
    /// <paramref name="width"/> image whose row x is column x of the plain result), for MTCNN's column-major inputs.
    /// </summary>
    internal static RgbImage Scale(RgbImage source, Matrix3x2 m, int width, int height, bool transposed = false)
    {
        var output = new byte[width * height * 3];
        var src = source.Pixels;
        var stride = source.Width * 3;
        var (left, right, fx) = Taps(m.M11, m.M31, width, source.Width - 1);
        var (top, bottom, fy) = Taps(m.M22, m.M32, height, source.Height - 1);
        var (outer, inner) = transposed ? (width, height) : (height, width);
        for (int i = 0, o = 0; i < outer; i++)
        {
            for (var j = 0; j < inner; j++, o += 3)
            {
                var (x, y) = transposed ? (i, j) : (j, i);
                var wx = fx[x];
                var wy = fy[y];
                var w00 = (1 - wx) * (1 - wy);
                var w01 = wx * (1 - wy);
                var w10 = (1 - wx) * wy;
                var w11 = wx * wy;
                var p00 = top[y] * stride + left[x] * 3;
                var p01 = top[y] * stride + right[x] * 3;
                var p10 = bottom[y] * stride + left[x] * 3;
                var p11 = bottom[y] * stride + right[x] * 3;
                for (var c = 0; c < 3; c++)
                {
                    var v = src[p00 + c] * w00 + src[p01 + c] * w01 + src[p10 + c] * w10 + src[p11 + c] * w11;
                    output[o + c] = (byte)Math.Clamp((int)(v + 0.5f), 0, 255);
                }
            }
        }

        return transposed ? new RgbImage(height, width, output) : new RgbImage(width, height, output);
    }

    /// <summary>For each output index along one axis: the two source indices to blend (clamped to the edge) and the second one's weight.</summary>
    private static (int[] Low, int[] High, float[] Fraction) Taps(float scale, float offset, int count, int max)
    {
        var low = new int[count];
        var high = new int[count];
        var fraction = new float[count];
        for (var i = 0; i < count; i++)
        {
            var position = scale * i + offset;
            var floor = MathF.Floor(position);
            fraction[i] = position - floor;
            low[i] = Math.Clamp((int)floor, 0, max);
            high[i] = Math.Clamp((int)floor + 1, 0, max);
        }

        return (low, high, fraction);
    }

    /// <summary>
    /// Maps the source rectangle (left, top, width, height in pixels) onto a whole
    /// <paramref name="outputWidth"/>×<paramref name="outputHeight"/> image, aligning pixel centres.
    /// </summary>
    public static RgbImage CropResize(RgbImage source, float left, float top, float width, float height, int outputWidth, int outputHeight)
    {
        return Warp(source, CropMap(left, top, width, height, outputWidth, outputHeight), outputWidth, outputHeight);
    }

    private static Matrix3x2 CropMap(float left, float top, float width, float height, int outputWidth, int outputHeight)
    {
        var scaleX = width / outputWidth;
        var scaleY = height / outputHeight;
        return new Matrix3x2(scaleX, 0, 0, scaleY, left + 0.5f * scaleX - 0.5f, top + 0.5f * scaleY - 0.5f);
    }

    /// <summary>The image mirrored left to right (exact: every sample lands on a pixel centre).</summary>
    public static RgbImage MirrorHorizontally(RgbImage source) =>
        Warp(source, new Matrix3x2(-1, 0, 0, 1, source.Width - 1, 0), source.Width, source.Height);

    public static RgbImage Resize(RgbImage source, int width, int height) =>
        CropResize(source, 0, 0, source.Width, source.Height, width, height);

    /// <summary>
    /// <see cref="Resize"/> stored transposed: a <paramref name="height"/>x<paramref name="width"/> image whose pixel
    /// (y, x) is pixel (x, y) of the resize, made in one pass (MTCNN's pyramid, whose networks read images column-major).
    /// </summary>
    public static RgbImage ResizeTransposed(RgbImage source, int width, int height) =>
        Scale(source, CropMap(0, 0, source.Width, source.Height, width, height), width, height, transposed: true);
}
