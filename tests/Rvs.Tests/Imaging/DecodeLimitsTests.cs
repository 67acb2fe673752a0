using Rvs.Imaging;
using Rvs.Testing;

namespace Rvs.Tests.Imaging;

public class DecodeLimitsTests
{
    [Theory]
    [InlineData(32768, 32768)]
    [InlineData(20000, 20000)]
    public void a_png_bomb_is_refused_by_its_declared_size_with_a_clear_message(int width, int height)
    {
        var bomb = OneColourPng.Grey(width, height, 200);
        Assert.True(bomb.Length < 2_000_000, $"the bomb should be small on disk, was {bomb.Length} bytes");

        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(bomb));

        Assert.Equal($"the image is too large to decode ({width}x{height} pixels; the limit is 268 megapixels)", error.Message);
    }

    [Fact]
    public void a_large_png_is_decoded_whole_and_reduced_for_detection()
    {
        var photo = ImageDecoder.Decode(OneColourPng.Make(6000, 4000, 10, 200, 30));

        Assert.Equal((6000, 4000), (photo.OriginalWidth, photo.OriginalHeight));
        Assert.Equal((1024, 683), (photo.Image.Width, photo.Image.Height));
        Assert.Equal(new byte[] { 10, 200, 30 }, photo.Image.Pixels[..3]);
        Assert.Equal(new byte[] { 10, 200, 30 }, photo.Image.Pixels[^3..]);
    }

    [Fact]
    public void a_png_too_large_to_hold_whole_is_refused_though_under_the_pixel_budget()
    {
        // 9000x8000 = 72 MP: under the 268 MP budget, but PNG cannot be reduced while decoding.
        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(OneColourPng.Grey(9000, 8000, 7)));

        Assert.Equal("the image is too large to decode (9000x8000 pixels; PNG is decoded at 9000x8000, over the limit of 67 megapixels held at once)", error.Message);
    }

    [Fact]
    public void a_reduced_photo_keeps_its_bytes_for_a_finer_decode()
    {
        var photo = ImageDecoder.Decode(OneColourPng.Make(3000, 2000, 1, 2, 3));
        var finer = photo.Finer(2500);

        Assert.Equal(1024, photo.Image.Width);
        Assert.Equal((3000, 2000), (finer.Width, finer.Height));
        Assert.Same(photo.Image, photo.Finer(1000));
    }

    [Fact]
    public async Task a_large_decode_waits_for_a_free_slot_of_the_gate()
    {
        var png = OneColourPng.Make(6000, 4000, 0, 0, 0);
        var limit = LargeDecodeGate.MaxConcurrent;
        LargeDecodeGate.MaxConcurrent = 1;
        try
        {
            Task<DecodedPhoto> decode;
            using (LargeDecodeGate.Enter())
            {
                decode = Task.Run(() => ImageDecoder.Decode(png));
                var first = await Task.WhenAny(decode, Task.Delay(500));
                Assert.False(ReferenceEquals(first, decode), "the decode ran while the only slot was held");
            }

            var photo = await decode.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(1024, photo.Image.Width);
        }
        finally
        {
            LargeDecodeGate.MaxConcurrent = limit;
        }
    }
}
