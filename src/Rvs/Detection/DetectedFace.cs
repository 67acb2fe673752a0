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
}
