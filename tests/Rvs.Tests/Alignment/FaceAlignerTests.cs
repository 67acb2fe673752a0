using System.Drawing;
using Rvs.Alignment;
using Rvs.Detection;
using Rvs.Imaging;

namespace Rvs.Tests.Alignment;

public class FaceAlignerTests
{
    [Fact]
    public void landmarks_land_on_the_template_after_alignment()
    {
        // A photo with a bright dot at each "landmark", placed at twice the template's scale and shifted.
        var template = FaceAligner.Template;
        var landmarks = template.Select(p => new PointF(p.X * 2 + 30, p.Y * 2 + 10)).ToArray();
        var image = DotsImage(320, 320, landmarks);
        var face = new DetectedFace(new RectangleF(30, 10, 224, 224), 1f, landmarks);

        var aligned = FaceAligner.Align(image, face);

        Assert.Equal(FaceAligner.Size, aligned.Image.Width);
        foreach (var p in template)
        {
            Assert.True(Brightness(aligned.Image, (int)MathF.Round(p.X), (int)MathF.Round(p.Y)) > 100,
                $"expected a dot near template point ({p.X}, {p.Y})");
        }

        Assert.True(Brightness(aligned.Image, 5, 5) < 20, "background stays dark");
    }

    [Fact]
    public void alignment_without_five_landmarks_is_refused()
    {
        var image = new RgbImage(10, 10, new byte[300]);
        var face = new DetectedFace(new RectangleF(0, 0, 10, 10), 1f, []);
        Assert.Throws<ArgumentException>(() => FaceAligner.Align(image, face));
    }

    private static RgbImage DotsImage(int width, int height, IEnumerable<PointF> dots)
    {
        var pixels = new byte[width * height * 3];
        foreach (var d in dots)
        {
            for (var y = (int)d.Y - 2; y <= (int)d.Y + 2; y++)
            {
                for (var x = (int)d.X - 2; x <= (int)d.X + 2; x++)
                {
                    pixels.AsSpan((y * width + x) * 3, 3).Fill(255);
                }
            }
        }

        return new RgbImage(width, height, pixels);
    }

    private static int Brightness(RgbImage image, int x, int y) => image.Pixels[(y * image.Width + x) * 3];
}
