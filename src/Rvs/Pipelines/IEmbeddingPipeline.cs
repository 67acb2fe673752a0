using System.Drawing;
using Rvs.Embedding;
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

    /// <summary>Every face in the photo with its embedding, largest face first; boxes in original-photo pixels.</summary>
    IReadOnlyList<EmbeddedFace> Embed(DecodedPhoto photo);

    /// <summary>
    /// Embeds a given region (original-photo pixels) without detection: the evaluation's fallback when no face is
    /// found. Face pipelines crop the region to their input size, since there are no landmarks to align by.
    /// </summary>
    FaceEmbedding EmbedRegion(DecodedPhoto photo, RectangleF box);
}
