using System.Drawing;

namespace Rvs.Detection;

/// <summary>
/// A face candidate between MTCNN stages. Coordinates are inclusive integer pixel bounds, exactly as in the
/// reference implementation, because its NMS, squaring and regression all depend on that "+1" arithmetic.
/// </summary>
internal sealed class MtcnnCandidate
{
    public int X1;
    public int Y1;
    public int X2;
    public int Y2;
    public float Score;
    public readonly float[] Regression = new float[4];
    public bool Deleted;
    public PointF[] Landmarks = [];

    public int Width => X2 - X1 + 1;

    public int Height => Y2 - Y1 + 1;

    public int Area => Width * Height;

    /// <summary>Applies the network's box regression (offsets in units of the box size), then clears it.</summary>
    public void Calibrate()
    {
        var w = Width;
        var h = Height;
        X1 = (int)(X1 + w * Regression[0]);
        Y1 = (int)(Y1 + h * Regression[1]);
        X2 = (int)(X2 + w * Regression[2]);
        Y2 = (int)(Y2 + h * Regression[3]);
        Array.Clear(Regression);
    }

    /// <summary>Grows the shorter side around the centre so the next network sees a square crop.</summary>
    public void MakeSquare()
    {
        var w = Width;
        var h = Height;
        if (w > h)
        {
            Y1 -= (w - h) / 2;
            Y2 += (w - h + 1) / 2;
        }
        else
        {
            X1 -= (h - w) / 2;
            X2 += (h - w + 1) / 2;
        }
    }

    /// <summary>Shifts (never shrinks) the square back inside the image where it can.</summary>
    public void ShiftInside(int width, int height)
    {
        if (X1 < 0 || Y1 < 0)
        {
            var shift = Math.Max(-X1, -Y1);
            X1 += shift;
            Y1 += shift;
        }

        if (X2 >= width || Y2 >= height)
        {
            var shift = Math.Max(X2 - width + 1, Y2 - height + 1);
            X2 -= shift;
            Y2 -= shift;
        }
    }
}
