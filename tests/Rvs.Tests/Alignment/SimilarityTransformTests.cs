using System.Drawing;
using System.Numerics;
using Rvs.Alignment;

namespace Rvs.Tests.Alignment;

public class SimilarityTransformTests
{
    [Fact]
    public void a_known_rotation_scale_and_shift_is_recovered_exactly()
    {
        var truth = Matrix3x2.CreateRotation(0.3f) * Matrix3x2.CreateScale(1.7f) * Matrix3x2.CreateTranslation(12f, -5f);
        PointF[] from = [new(10, 20), new(40, 22), new(25, 40), new(12, 60), new(38, 61)];
        var to = from.Select(p => Transform(truth, p)).ToArray();

        var estimated = SimilarityTransform.Estimate(from, to);

        foreach (var (p, q) in from.Zip(to))
        {
            var mapped = Transform(estimated, p);
            Assert.Equal(q.X, mapped.X, 3);
            Assert.Equal(q.Y, mapped.Y, 3);
        }
    }

    [Fact]
    public void noisy_points_get_the_least_squares_fit_not_an_exact_one()
    {
        PointF[] from = [new(0, 0), new(10, 0), new(0, 10), new(10, 10)];
        PointF[] to = [new(0, 0), new(20, 0), new(0, 20), new(21, 21)];

        var estimated = SimilarityTransform.Estimate(from, to);

        // The best similarity is close to a pure 2× scale; no exact fit exists.
        var mapped = Transform(estimated, new PointF(10, 0));
        Assert.InRange(mapped.X, 19.5f, 21f);
        Assert.InRange(mapped.Y, -0.6f, 0.6f);
    }

    [Fact]
    public void a_mirror_image_is_never_produced()
    {
        PointF[] from = [new(0, 0), new(10, 0), new(5, 8)];
        PointF[] mirrored = [new(0, 0), new(-10, 0), new(-5, 8)];

        var estimated = SimilarityTransform.Estimate(from, mirrored);

        var determinant = estimated.M11 * estimated.M22 - estimated.M12 * estimated.M21;
        Assert.True(determinant >= 0, "a similarity transform keeps orientation");
    }

    [Fact]
    public void coincident_points_are_rejected()
    {
        PointF[] same = [new(3, 3), new(3, 3), new(3, 3)];
        Assert.Throws<ArgumentException>(() => SimilarityTransform.Estimate(same, same));
    }

    private static PointF Transform(Matrix3x2 m, PointF p)
    {
        var v = Vector2.Transform(new Vector2(p.X, p.Y), m);
        return new PointF(v.X, v.Y);
    }
}
