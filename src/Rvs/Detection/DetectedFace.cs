using System.Drawing;

namespace Rvs.Detection;

/// <summary>
/// A face found in a photo, in pixels of the original image: the box, the detector's confidence and five
/// landmarks in the order left eye, right eye, nose, left mouth corner, right mouth corner (as seen in the photo).
/// </summary>
public sealed record DetectedFace(RectangleF Box, float Score, PointF[] Landmarks)
{
    public float Area => Box.Width * Box.Height;

    public PointF Center => new(Box.X + Box.Width / 2, Box.Y + Box.Height / 2);

    /// <summary>The same face with every coordinate multiplied by <paramref name="scale"/> (e.g. back to the original photo).</summary>
    public DetectedFace Scaled(float scale) => scale == 1f
        ? this
        : this with
        {
            Box = new RectangleF(Box.X * scale, Box.Y * scale, Box.Width * scale, Box.Height * scale),
            Landmarks = [.. Landmarks.Select(p => new PointF(p.X * scale, p.Y * scale))],
        };

    /// <summary>The same face with every coordinate moved by (<paramref name="dx"/>, <paramref name="dy"/>), e.g. into a cropped region.</summary>
    public DetectedFace Moved(float dx, float dy) => this with
    {
        Box = new RectangleF(Box.X + dx, Box.Y + dy, Box.Width, Box.Height),
        Landmarks = [.. Landmarks.Select(p => new PointF(p.X + dx, p.Y + dy))],
    };
}
