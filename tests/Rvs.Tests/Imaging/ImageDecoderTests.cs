using Rvs.Imaging;
using SkiaSharp;

namespace Rvs.Tests.Imaging;

public class ImageDecoderTests
{
    private static byte[] Encode(int width, int height, SKEncodedImageFormat format, SKColor color)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(color);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, 90);
        return data.ToArray();
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Jpeg)]
    [InlineData(SKEncodedImageFormat.Png)]
    [InlineData(SKEncodedImageFormat.Webp)]
    public void common_formats_decode_to_rgb_of_the_same_size(SKEncodedImageFormat format)
    {
        var photo = ImageDecoder.Decode(Encode(40, 30, format, new SKColor(200, 100, 50)));

        Assert.Equal(40, photo.Image.Width);
        Assert.Equal(30, photo.Image.Height);
        Assert.InRange(photo.Image.Pixels[0], 190, 210);
        Assert.InRange(photo.Image.Pixels[1], 90, 110);
        Assert.InRange(photo.Image.Pixels[2], 40, 60);
    }

    [Fact]
    public void a_one_pixel_image_decodes()
    {
        var photo = ImageDecoder.Decode(Encode(1, 1, SKEncodedImageFormat.Png, SKColors.Red));
        Assert.Equal(1, photo.Image.Width);
        Assert.Equal(new byte[] { 255, 0, 0 }, photo.Image.Pixels);
    }

    [Fact]
    public void bytes_that_are_not_an_image_give_a_clear_error()
    {
        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode("hello, not a photo"u8));
        Assert.Contains("not an image", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void an_empty_file_gives_a_clear_error()
    {
        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode([]));
        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void a_large_image_is_decoded_downscaled_and_remembers_its_original_size()
    {
        var photo = ImageDecoder.Decode(Encode(5000, 2500, SKEncodedImageFormat.Jpeg, SKColors.Gray), maxSide: 1000);

        Assert.True(photo.Image.Width <= 1000);
        Assert.Equal(5000, photo.OriginalWidth);
        Assert.Equal(2500, photo.OriginalHeight);
        Assert.Equal(5000f / photo.Image.Width, photo.Scale, 3);
    }

    [Fact]
    public void a_missing_file_gives_a_clear_error_naming_it()
    {
        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.DecodeFile("/nonexistent/photo.jpg"));
        Assert.Contains("/nonexistent/photo.jpg", error.Message, StringComparison.Ordinal);
    }
}

public class ImageDecoderColourSpaceTests
{
    [Fact]
    public void a_cmyk_jpeg_decodes_to_the_right_colours()
    {
        var photo = ImageDecoder.DecodeFile(Path.Combine(AppContext.BaseDirectory, "Fixtures", "two-colours-cmyk.jpg"));

        var left = photo.Image.Pixels.AsSpan((24 * 64 + 8) * 3, 3).ToArray();
        var right = photo.Image.Pixels.AsSpan((24 * 64 + 56) * 3, 3).ToArray();
        Assert.True(left[0] > 150 && left[2] < 100, $"left is red, got {string.Join(",", left)}");
        Assert.True(right[2] > 150 && right[0] < 100, $"right is blue, got {string.Join(",", right)}");
    }
}
