using System.Numerics;
using Rvs.Imaging;

namespace Rvs.Tests.Imaging;

public class ImageWarpTests
{
    private static RgbImage Noise(int width, int height, int seed)
    {
        var pixels = new byte[width * height * 3];
        new Random(seed).NextBytes(pixels);
        return new RgbImage(width, height, pixels);
    }

    public static TheoryData<float, float, float, float, int, int> Maps => new()
    {
        { 1.6666666f, 1.6666666f, 0.33333f, 0.33333f, 61, 45 }, // the pyramid's first level of a 1008x756 decode
        { 0.37f, 0.37f, -0.2f, -0.3f, 120, 90 },                 // enlarging, reaching past the top-left edge
        { 1f, 1f, 20.25f, 10.5f, 50, 40 },                       // a crop
        { -1f, 1f, 99f, 0f, 100, 75 },                           // mirroring
        { 2.5f, 1.25f, 3f, 80f, 40, 30 },                        // unequal scales, reaching past the bottom edge
    };

    [Theory]
    [MemberData(nameof(Maps))]
    public void a_map_without_rotation_resamples_to_the_same_bytes_as_the_per_pixel_warp(float scaleX, float scaleY, float offsetX, float offsetY, int width, int height)
    {
        var source = Noise(100, 75, 7);
        var map = new Matrix3x2(scaleX, 0, 0, scaleY, offsetX, offsetY);

        Assert.Equal(ImageWarp.WarpEachPixel(source, map, width, height).Pixels, ImageWarp.Warp(source, map, width, height).Pixels);
    }

    [Fact]
    public void a_rotating_map_still_samples_each_pixel_on_its_own()
    {
        var source = Noise(100, 75, 8);
        var map = Matrix3x2.CreateRotation(0.3f) * Matrix3x2.CreateTranslation(20, 5);

        Assert.Equal(ImageWarp.WarpEachPixel(source, map, 60, 60).Pixels, ImageWarp.Warp(source, map, 60, 60).Pixels);
    }

    [Fact]
    public void a_transposed_resize_is_the_resize_with_rows_and_columns_swapped()
    {
        var source = Noise(100, 75, 9);

        var plain = ImageWarp.Resize(source, 61, 45);
        var transposed = ImageWarp.ResizeTransposed(source, 61, 45);

        Assert.Equal((45, 61), (transposed.Width, transposed.Height));
        for (var y = 0; y < 45; y++)
        {
            for (var x = 0; x < 61; x++)
            {
                Assert.Equal(plain.Pixels.AsSpan((y * 61 + x) * 3, 3).ToArray(), transposed.Pixels.AsSpan((x * 45 + y) * 3, 3).ToArray());
            }
        }
    }

    [Fact]
    public void pixels_become_model_inputs_as_value_minus_mean_times_one_over_scale()
    {
        var image = Noise(7, 5, 10);
        var tensor = new float[7 * 5 * 3];

        PixelTensor.WriteHwc(image, tensor, PixelNormalization.Symmetric);

        Assert.Equal(image.Pixels.Select(p => (p - 127.5f) * (1f / 128f)), tensor);
    }
}
