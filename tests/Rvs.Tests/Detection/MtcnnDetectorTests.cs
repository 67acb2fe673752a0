using Rvs.Detection;
using Rvs.Imaging;
using Rvs.Tests.Support;
using SkiaSharp;

namespace Rvs.Tests.Detection;

public class MtcnnDetectorTests
{
    private static MtcnnDetector Detector => SharedPipelines.FaceNet.Detector;

    [Theory]
    [InlineData("Aaron_Eckhart", 1)]
    [InlineData("George_W_Bush", 2)]
    [InlineData("Serena_Williams", 1)]
    public void an_lfw_portrait_has_a_face_near_the_centre_with_landmarks_in_anatomical_order(string person, int number)
    {
        var photo = ImageDecoder.DecodeFile(TestData.LfwPhoto(person, number));

        var faces = Detector.Detect(photo.Image);

        var face = faces.OrderBy(f => Math.Abs(f.Center.X - 125) + Math.Abs(f.Center.Y - 125)).First();
        Assert.InRange(face.Center.X, 95, 155);
        Assert.InRange(face.Center.Y, 85, 165);
        Assert.InRange(face.Box.Width, 50, 180);
        Assert.True(face.Score > 0.9f);
        var (leftEye, rightEye, nose, leftMouth, rightMouth) = (face.Landmarks[0], face.Landmarks[1], face.Landmarks[2], face.Landmarks[3], face.Landmarks[4]);
        Assert.True(leftEye.X < rightEye.X && leftMouth.X < rightMouth.X, "left before right in the photo");
        Assert.True(leftEye.Y < nose.Y && rightEye.Y < nose.Y, "eyes above the nose");
        Assert.True(nose.Y < leftMouth.Y && nose.Y < rightMouth.Y, "nose above the mouth");
        Assert.All(face.Landmarks, p => Assert.True(face.Box.Contains(p), $"landmark {p} inside the box {face.Box}"));
    }

    [Fact]
    public void a_photo_without_faces_gives_no_faces()
    {
        var pixels = new byte[300 * 200 * 3];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)(i / 3 % 300 * 255 / 300);
        }

        Assert.Empty(Detector.Detect(new RgbImage(300, 200, pixels)));
    }

    [Fact]
    public void an_image_smaller_than_the_smallest_face_gives_no_faces()
    {
        Assert.Empty(Detector.Detect(new RgbImage(1, 1, [10, 20, 30])));
        Assert.Empty(Detector.Detect(new RgbImage(19, 300, new byte[19 * 300 * 3])));
    }

    [Fact]
    public void a_huge_photo_is_detected_downscaled_with_landmarks_mapped_back()
    {
        // The LFW photo drawn into the middle of a 10,000×10,000 canvas, four times larger.
        using var source = SKBitmap.Decode(TestData.LfwPhoto("Aaron_Eckhart", 1));
        using var canvasBitmap = new SKBitmap(10_000, 10_000);
        using (var canvas = new SKCanvas(canvasBitmap))
        {
            canvas.Clear(SKColors.Gray);
            canvas.DrawBitmap(source, new SKRect(4500, 4500, 5500, 5500), new SKPaint());
        }

        using var encoded = SKImage.FromBitmap(canvasBitmap).Encode(SKEncodedImageFormat.Jpeg, 80);
        var photo = ImageDecoder.Decode(encoded.AsSpan());

        var faces = Detector.Detect(photo.Image).Select(f => f.Scaled(photo.Scale)).ToList();

        Assert.True(photo.Image.Width <= ImageDecoder.DefaultMaxSide);
        var face = Assert.Single(faces);
        Assert.InRange(face.Center.X, 4500 + 4 * 95, 4500 + 4 * 155);
        Assert.InRange(face.Landmarks[0].Y, 4500 + 4 * 80, 4500 + 4 * 130);
    }
}
