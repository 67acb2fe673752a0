using System.Drawing;

namespace Rvs.Bench;

/// <summary>
/// Which face of an LFW photo is its labelled person: the face whose box centre is nearest the photo's centre
/// (EVALUATION.md's rule), provided that centre lies in the photo's central half; a face found only further out is a
/// bystander, so the photo has no subject.
/// </summary>
internal static class LfwSubjects
{
    public static T? Of<T>(IEnumerable<T> faces, Func<T, RectangleF> box, int width, int height) where T : class
    {
        static PointF Centre(RectangleF b) => new(b.X + b.Width / 2, b.Y + b.Height / 2);
        var subject = faces.MinBy(f => Math.Pow(Centre(box(f)).X - width / 2.0, 2) + Math.Pow(Centre(box(f)).Y - height / 2.0, 2));
        if (subject is null)
        {
            return null;
        }

        var centre = Centre(box(subject));
        return Math.Abs(centre.X - width / 2.0) <= width / 4.0 && Math.Abs(centre.Y - height / 2.0) <= height / 4.0 ? subject : null;
    }
}
