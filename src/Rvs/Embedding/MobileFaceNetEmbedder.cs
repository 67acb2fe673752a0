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

    /// <param name="modelPath">mobilefacenet.onnx.</param>
    /// <param name="intraOpThreads">ONNX Runtime threads.</param>
    /// <param name="addMirror">
    /// Also embed each face mirrored left to right and add the two vectors before normalising: the usual
    /// test-time augmentation for this model family. It costs a second pass through the network per face.
    /// </param>
    public MobileFaceNetEmbedder(string modelPath, int intraOpThreads = 1, bool addMirror = false)
    {
        _model = new OnnxModel(modelPath, intraOpThreads);
        _output = _model.OutputNames[0];
        AddMirror = addMirror;
    }

    public bool AddMirror { get; }

    /// <summary>The network's file (what the pipeline's model id hashes).</summary>
    public IReadOnlyList<string> ModelPaths => [_model.Path];

    /// <summary>Embeds all faces (and their mirror images, if asked) in one batch, in order.</summary>
    public FaceEmbedding[] Embed(IReadOnlyList<AlignedFace> faces)
    {
        if (faces.Count == 0)
        {
            return [];
        }

        const int plane = FaceAligner.Size * FaceAligner.Size * 3;
        var passes = AddMirror ? 2 : 1;
        var batch = new float[faces.Count * passes * plane];
        for (var i = 0; i < faces.Count; i++)
        {
            PixelTensor.WriteHwc(faces[i].Image, batch.AsSpan(i * plane, plane), PixelNormalization.Symmetric);
            if (AddMirror)
            {
                PixelTensor.WriteHwc(ImageWarp.MirrorHorizontally(faces[i].Image), batch.AsSpan((faces.Count + i) * plane, plane), PixelNormalization.Symmetric);
            }
        }

        var (data, _) = _model.Run(batch, [faces.Count * passes, FaceAligner.Size, FaceAligner.Size, 3], _output)[0];
        var vectors = new FaceEmbedding[faces.Count];
        for (var i = 0; i < faces.Count; i++)
        {
            var vector = data.AsSpan(i * Dimensions, Dimensions);
            if (AddMirror)
            {
                System.Numerics.Tensors.TensorPrimitives.Add(vector, data.AsSpan((faces.Count + i) * Dimensions, Dimensions), vector);
            }

            VectorMath.Normalize(vector);
            vectors[i] = FaceEmbedding.Of(vector, Dimensions);
        }

        return vectors;
    }

    public void Dispose() => _model.Dispose();
}
