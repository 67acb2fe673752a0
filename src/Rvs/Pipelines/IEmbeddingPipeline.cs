using System.Drawing;
using Rvs.Imaging;

namespace Rvs.Pipelines;

/// <summary>
/// Photo in, vectors out: one of the three pipelines the report compared. Face pipelines return one entry per
/// detected face; the whole-image pipeline returns exactly one entry whose box is the whole photo.
/// Implementations are safe to call from several threads at once.
/// </summary>
public interface IEmbeddingPipeline : IDisposable
{
    /// <summary>"mtcnn-facenet", "mtcnn-resnet" or "resnet".</summary>
    string Name { get; }

    /// <summary>Identifies the models and preprocessing; embeddings made under another id are not comparable.</summary>
    string ModelId { get; }

    int Dimensions { get; }

    /// <summary>Every face in the photo with its embedding, largest face first.</summary>
    IReadOnlyList<EmbeddedFace> Embed(DecodedPhoto photo);

    /// <summary>
    /// The embedding of a given region, without running detection: face pipelines crop (and align, as far as
    /// they can without landmarks) <paramref name="box"/> as they would a detected face's box; the whole-image
    /// pipeline embeds the region as if it were the whole photo. Evaluation needs this so that a photo in which
    /// detection finds nothing still gets exactly one embedding (its fixed central crop).
    /// </summary>
    /// <param name="photo">The decoded photo.</param>
    /// <param name="box">The region in original-photo pixels, the same space as <see cref="Detection.DetectedFace.Box"/>.</param>
    /// <returns>An L2-normalised vector of <see cref="Dimensions"/> floats.</returns>
    float[] EmbedRegion(DecodedPhoto photo, RectangleF box);
}
