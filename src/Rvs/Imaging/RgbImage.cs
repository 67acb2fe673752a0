namespace Rvs.Imaging;

/// <summary>
/// A decoded photo as tightly packed 8-bit RGB, row-major. Every model in rvs reads RGB, so the pipeline
/// decodes once into this shape and never touches codec objects again.
/// </summary>
public sealed class RgbImage
{
    public RgbImage(int width, int height, byte[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Length != checked(width * height * 3))
        {
            throw new ArgumentException($"Expected {width * height * 3} bytes for {width}x{height} RGB, got {pixels.Length}.", nameof(pixels));
        }

        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>R, G, B bytes for each pixel, row after row.</summary>
    public byte[] Pixels { get; }
}
