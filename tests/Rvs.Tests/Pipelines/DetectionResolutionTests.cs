using System.Drawing;
using System.Numerics.Tensors;
using Rvs.Detection;
using Rvs.Imaging;
using Rvs.Tests.Support;
using SkiaSharp;

namespace Rvs.Tests.Pipelines;

/// <summary>Phone-size photos: detection on the reduced decode, small faces aligned from a finer decode of their region.</summary>
public class DetectionResolutionTests
{
    /// <summary>A 4032x3024 JPEG, grey but for one LFW photo drawn <paramref name="size"/> px wide at (<paramref name="x"/>, <paramref name="y"/>).</summary>
    private static byte[] PhonePhoto(string lfwPhoto, int x, int y, int size)
    {
        using var bitmap = new SKBitmap(4032, 3024);
        using (var canvas = new SKCanvas(bitmap))
        using (var face = SKImage.FromEncodedData(lfwPhoto))
        {
            canvas.Clear(new SKColor(120, 120, 120));
            canvas.DrawImage(face, new SKRect(x, y, x + size, y + size), new SKSamplingOptions(SKCubicResampler.Mitchell));
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 92);
        return data.ToArray();
    }

    [Fact]
    public void a_small_face_of_a_12_mp_photo_is_found_on_the_reduced_decode_and_embeds_like_its_lfw_photo()
    {
        var lfw = TestData.LfwPhoto("Tony_Blair", 1);
        var expected = SharedPipelines.FaceNet.Embed(ImageDecoder.DecodeFile(lfw))[0];
        var photo = ImageDecoder.Decode(PhonePhoto(lfw, 2001, 1499, 500));

        Assert.Equal((1008, 756), (photo.Image.Width, photo.Image.Height));
        // The LFW face box, scaled by 2 and moved by the paste, is where the face must be found (original pixels);
        // the photo also shows part of a second person at its edge.
        var box = expected.Face.Box;
        var face = SharedPipelines.FaceNet.Embed(photo)
            .MinBy(f => MathF.Abs(f.Face.Center.X - 2001 - 2 * expected.Face.Center.X) + MathF.Abs(f.Face.Center.Y - 1499 - 2 * expected.Face.Center.Y))!;
        Assert.InRange(face.Face.Center.X, 2001 + 2 * expected.Face.Center.X - box.Width / 4, 2001 + 2 * expected.Face.Center.X + box.Width / 4);
        Assert.InRange(face.Face.Center.Y, 1499 + 2 * expected.Face.Center.Y - box.Height / 4, 1499 + 2 * expected.Face.Center.Y + box.Height / 4);
        Assert.True(TensorPrimitives.Dot(face.Embedding, expected.Embedding) > 0.8f, "the face embeds unlike its LFW photo");
    }

    /// <summary>Mean absolute difference per channel between a decoded region and the same pixels of a whole decode.</summary>
    private static double MeanDifference(PhotoRegion region, RgbImage whole)
    {
        long difference = 0;
        for (var y = 0; y < region.Image.Height; y++)
        {
            for (var x = 0; x < region.Image.Width * 3; x++)
            {
                difference += Math.Abs(region.Image.Pixels[y * region.Image.Width * 3 + x] - whole.Pixels[(region.Top + y) * whole.Width * 3 + region.Left * 3 + x]);
            }
        }

        return (double)difference / region.Image.Pixels.Length;
    }

    [Fact]
    public void a_region_decoded_alone_matches_the_same_region_of_the_whole_decode()
    {
        var bytes = PhonePhoto(TestData.LfwPhoto("Tony_Blair", 1), 1003, 997, 700);
        var region = RegionDecoder.Decode(bytes, new RectangleF(1000, 1000, 600, 500), 2016);
        var whole = ImageDecoder.DecodeAtLeast(bytes, 2016);

        Assert.Equal(2016, region.ScaledWidth);
        Assert.Equal((500, 500, 300, 250), (region.Left, region.Top, region.Image.Width, region.Image.Height));
        Assert.True(MeanDifference(region, whole) < 1, $"mean difference {MeanDifference(region, whole):0.00} per channel");
    }

    [Fact]
    public void regions_far_apart_come_from_one_decode_each_matching_the_whole_decode()
    {
        var bytes = PhonePhoto(TestData.LfwPhoto("Tony_Blair", 1), 1003, 997, 700);
        var asked = new[] { new RectangleF(3000, 2400, 400, 300), new RectangleF(100, 40, 200, 200), new RectangleF(1000, 1000, 600, 500), new RectangleF(1200, 1100, 200, 100) };

        var regions = RegionDecoder.Decode(bytes, asked, 4032);
        var whole = ImageDecoder.DecodeAtLeast(bytes, 4032);

        Assert.Equal(
            [(3000, 2400, 400, 300), (100, 40, 200, 200), (1000, 1000, 600, 500), (1200, 1100, 200, 100)],
            regions.Select(r => (r.Left, r.Top, r.Image.Width, r.Image.Height)));
        Assert.All(regions, region => Assert.Equal(4032, region.ScaledWidth));
        Assert.All(regions, region => Assert.True(MeanDifference(region, whole) < 1, $"mean difference {MeanDifference(region, whole):0.00} per channel at {region.Left},{region.Top}"));
    }

    [Fact]
    public void a_smallest_face_under_what_the_reduced_decode_shows_is_looked_for_in_a_finer_one()
    {
        var photo = ImageDecoder.Decode(PhonePhoto(TestData.LfwPhoto("Tony_Blair", 1), 0, 0, 250));

        var (image, minFace) = new FaceResolution { MinFaceSize = 40 }.DetectionView(photo, new MtcnnOptions());
        var (same, defaultMinFace) = new FaceResolution().DetectionView(photo, new MtcnnOptions());

        // 40 px is 10 px of the 1008 px decode, under P-Net's 12: JPEG's next scale up (3/8, 1512 px) shows it at 15.
        Assert.Equal(1512, image.Width);
        Assert.Equal(15f, minFace, 3);
        Assert.Same(photo.Image, same);
        Assert.Equal(24f, defaultMinFace);
    }
}
