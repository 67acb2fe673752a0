using System.Numerics.Tensors;

namespace Rvs.Imaging;

/// <summary>How 8-bit channel values become model inputs: (value − Mean) / Scale.</summary>
public readonly record struct PixelNormalization(float Mean, float Scale)
{
    /// <summary>MTCNN and MobileFaceNet: (x − 127.5) / 128.</summary>
    public static PixelNormalization Symmetric { get; } = new(127.5f, 128f);

    /// <summary>Raw 0–255 values, for models that carry their own preprocessing.</summary>
    public static PixelNormalization Raw { get; } = new(0f, 1f);
}

/// <summary>Writes an <see cref="RgbImage"/> into a float tensor in the layout a model expects.</summary>
public static class PixelTensor
{
    /// <summary>
    /// Height×width×3 floats (NHWC for one image). With <paramref name="transposed"/> the image is written as
    /// width×height×3, i.e. x is the outer axis; MTCNN's weights were trained on such column-major images.
    /// </summary>
    public static void WriteHwc(RgbImage image, Span<float> destination, PixelNormalization normalization, bool transposed = false)
    {
        var count = image.Width * image.Height * 3;
        if (destination.Length < count)
        {
            throw new ArgumentException($"Need {count} floats, got {destination.Length}.", nameof(destination));
        }

        var pixels = image.Pixels;
        var inverseScale = 1f / normalization.Scale;
        var mean = normalization.Mean;
        if (!transposed)
        {
            // (value - mean) * (1 / scale) in vector steps: each lane rounds as the scalar expression would.
            var values = destination[..count];
            TensorPrimitives.ConvertTruncating<byte, float>(pixels.AsSpan(0, count), values);
            TensorPrimitives.Subtract(values, mean, values);
            TensorPrimitives.Multiply(values, inverseScale, values);
            return;
        }

        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                var s = (y * image.Width + x) * 3;
                var d = (x * image.Height + y) * 3;
                destination[d] = (pixels[s] - mean) * inverseScale;
                destination[d + 1] = (pixels[s + 1] - mean) * inverseScale;
                destination[d + 2] = (pixels[s + 2] - mean) * inverseScale;
            }
        }
    }

    /// <summary>3×height×width floats, one plane per channel in R, G, B order (NCHW for one image).</summary>
    public static void WriteChw(RgbImage image, Span<float> destination, PixelNormalization normalization)
    {
        var plane = image.Width * image.Height;
        if (destination.Length < plane * 3)
        {
            throw new ArgumentException($"Need {plane * 3} floats, got {destination.Length}.", nameof(destination));
        }

        var pixels = image.Pixels;
        var inverseScale = 1f / normalization.Scale;
        for (var i = 0; i < plane; i++)
        {
            destination[i] = (pixels[i * 3] - normalization.Mean) * inverseScale;
            destination[plane + i] = (pixels[i * 3 + 1] - normalization.Mean) * inverseScale;
            destination[2 * plane + i] = (pixels[i * 3 + 2] - normalization.Mean) * inverseScale;
        }
    }
}
