using System.Runtime.Intrinsics.X86;
using Rvs.Imaging;

namespace Rvs.Tests.Imaging;

public class PixelConversionTests
{
    /// <summary>The scalar path, and the AVX2 one where this CPU has it.</summary>
    public static TheoryData<bool> Paths() => Avx2.IsSupported ? new TheoryData<bool> { false, true } : new TheoryData<bool> { false };

    /// <summary>The conversion written out pixel by pixel, independently of the code under test.</summary>
    private static byte[] Reference(byte[] rgba, int pixels)
    {
        var rgb = new byte[pixels * 3];
        for (var p = 0; p < pixels; p++)
        {
            int alpha = rgba[p * 4 + 3];
            for (var c = 0; c < 3; c++)
            {
                int value = rgba[p * 4 + c];
                rgb[p * 3 + c] = (byte)(alpha == 255 ? value : (value * alpha + 255 * (255 - alpha)) / 255);
            }
        }

        return rgb;
    }

    /// <summary>Random colours; <paramref name="transparentEvery"/> &gt; 0 makes every that many pixels' alpha random.</summary>
    private static byte[] Pixels(int pixels, int seed, int transparentEvery)
    {
        var random = new Random(seed);
        var rgba = new byte[pixels * 4];
        random.NextBytes(rgba);
        for (var p = 0; p < pixels; p++)
        {
            rgba[p * 4 + 3] = transparentEvery > 0 && p % transparentEvery == 0 ? (byte)random.Next(256) : (byte)255;
        }

        return rgba;
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void every_length_matches_the_scalar_reference_and_writes_nothing_around_it(bool vectorised)
    {
        // Every pixel count up to several vector steps plus a tail, then photo-like odd widths.
        var counts = Enumerable.Range(0, 70).Concat([127, 1009, 4033]);
        foreach (var transparentEvery in new[] { 0, 1, 7, 23 })
        {
            foreach (var pixels in counts)
            {
                var rgba = Pixels(pixels, pixels * 31 + transparentEvery, transparentEvery);
                // The output sits inside a larger buffer, so a store running past either end would show.
                var buffer = Enumerable.Repeat((byte)0xA5, pixels * 3 + 40).ToArray();
                PixelConversion.RgbaToRgb(rgba, buffer.AsSpan(20, pixels * 3), vectorised);

                Assert.Equal(Reference(rgba, pixels), buffer[20..(20 + pixels * 3)]);
                Assert.All(buffer[..20].Concat(buffer[(20 + pixels * 3)..]), b => Assert.Equal(0xA5, b));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void rows_of_an_odd_width_band_match_the_reference(bool vectorised)
    {
        // As RegionDecoder converts a crop: each row a slice of a wider RGBA band, from an odd column.
        const int BandWidth = 101, Height = 9, Left = 3, Width = 75;
        var band = Pixels(BandWidth * Height, 5, 0);
        var rgb = new byte[Width * Height * 3];
        for (var r = 0; r < Height; r++)
        {
            PixelConversion.RgbaToRgb(band.AsSpan((r * BandWidth + Left) * 4, Width * 4), rgb.AsSpan(r * Width * 3, Width * 3), vectorised);
        }

        for (var r = 0; r < Height; r++)
        {
            var row = band[((r * BandWidth + Left) * 4)..((r * BandWidth + Left + Width) * 4)];
            Assert.Equal(Reference(row, Width), rgb[(r * Width * 3)..((r + 1) * Width * 3)]);
        }
    }

    [Fact]
    public void bytes_past_the_last_whole_pixel_are_left_alone()
    {
        var rgba = Pixels(40, 1, 0);
        var rgb = Enumerable.Repeat((byte)0xA5, 40 * 3 + 2).ToArray();
        PixelConversion.RgbaToRgb(rgba, rgb);

        Assert.Equal(Reference(rgba, 40), rgb[..120]);
        Assert.Equal(new byte[] { 0xA5, 0xA5 }, rgb[120..]);
    }

    [Fact]
    public void too_few_rgba_bytes_are_refused() =>
        Assert.Throws<ArgumentException>(() => PixelConversion.RgbaToRgb(new byte[15], new byte[12]));
}
