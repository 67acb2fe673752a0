using Rvs.Alignment;
using Rvs.Imaging;
using Rvs.Models;

namespace Rvs.Embedding;

/// <summary>MobileFaceNet: an aligned 112×112 face in, a unit-length 192-d identity vector out.</summary>
public sealed class MobileFaceNetEmbedder : IDisposable
{
    public const int Dimensions = 192;

    private readonly OnnxModel _model;
    private readonly string _output;

    public MobileFaceNetEmbedder(string modelPath, int intraOpThreads = 1)
    {
        _model = new OnnxModel(modelPath, intraOpThreads);
        _output = _model.OutputNames[0];
    }

    /// <summary>Embeds all faces in one batch, in order.</summary>
    public float[][] Embed(IReadOnlyList<AlignedFace> faces)
    {
        if (faces.Count == 0)
        {
            return [];
        }

        const int plane = FaceAligner.Size * FaceAligner.Size * 3;
        var batch = new float[faces.Count * plane];
        for (var i = 0; i < faces.Count; i++)
        {
            PixelTensor.WriteHwc(faces[i].Image, batch.AsSpan(i * plane, plane), PixelNormalization.Symmetric);
        }

        var (data, _) = _model.Run(batch, [faces.Count, FaceAligner.Size, FaceAligner.Size, 3], _output)[0];
        var vectors = new float[faces.Count][];
        for (var i = 0; i < faces.Count; i++)
        {
            vectors[i] = data.AsSpan(i * Dimensions, Dimensions).ToArray();
            VectorMath.Normalize(vectors[i]);
        }

        return vectors;
    }

    public void Dispose() => _model.Dispose();
}
