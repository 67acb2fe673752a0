using System.Drawing;
using System.Numerics;

namespace Rvs.Alignment;

/// <summary>
/// Least-squares similarity transform (rotation, uniform scale, translation) between point sets, by Umeyama's
/// closed form. In 2-D the rotation is found from the cross-covariance directly, which is equivalent to the SVD
/// route, reflection-free by construction, and needs no linear-algebra dependency.
/// </summary>
public static class SimilarityTransform
{
    /// <summary>The transform T minimising Σ‖T(from[i]) − to[i]‖², as a row-vector matrix (System.Numerics convention).</summary>
    public static Matrix3x2 Estimate(ReadOnlySpan<PointF> from, ReadOnlySpan<PointF> to)
    {
        if (from.Length != to.Length || from.Length < 2)
        {
            throw new ArgumentException("Need two or more point pairs of equal count.");
        }

        var n = from.Length;
        double mfx = 0, mfy = 0, mtx = 0, mty = 0;
        for (var i = 0; i < n; i++)
        {
            mfx += from[i].X;
            mfy += from[i].Y;
            mtx += to[i].X;
            mty += to[i].Y;
        }

        mfx /= n;
        mfy /= n;
        mtx /= n;
        mty /= n;

        // With centred points p (from) and q (to): a = Σ p·q, b = Σ p×q; rotation angle atan2(b, a);
        // scale = sqrt(a² + b²) / Σ‖p‖², the optimum for a similarity transform.
        double a = 0, b = 0, variance = 0;
        for (var i = 0; i < n; i++)
        {
            var px = from[i].X - mfx;
            var py = from[i].Y - mfy;
            var qx = to[i].X - mtx;
            var qy = to[i].Y - mty;
            a += px * qx + py * qy;
            b += px * qy - py * qx;
            variance += px * px + py * py;
        }

        if (variance < 1e-12)
        {
            throw new ArgumentException("The source points coincide; no transform is defined.");
        }

        var sc = a / variance; // scale·cosθ
        var ss = b / variance; // scale·sinθ

        // x' = sc·x − ss·y + tx ; y' = ss·x + sc·y + ty
        var tx = mtx - (sc * mfx - ss * mfy);
        var ty = mty - (ss * mfx + sc * mfy);
        return new Matrix3x2((float)sc, (float)ss, (float)-ss, (float)sc, (float)tx, (float)ty);
    }
}
