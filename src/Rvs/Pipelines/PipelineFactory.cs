using Rvs.Detection;
using Rvs.Embedding;
using Rvs.Models;

namespace Rvs.Pipelines;

/// <summary>Builds a pipeline by name from the models shipped beside the library.</summary>
public static class PipelineFactory
{
    /// <param name="name">One of <see cref="PipelineNames.All"/>.</param>
    /// <param name="intraOpThreads">ONNX Runtime threads per model: 1 when many photos run in parallel, all cores for one query.</param>
    /// <param name="detection">MTCNN settings for the face pipelines.</param>
    /// <param name="addMirror">mtcnn-facenet: also embed each face mirrored and add the vectors (see <see cref="MobileFaceNetEmbedder"/>).</param>
    public static IEmbeddingPipeline Create(string name, int intraOpThreads = 1, MtcnnOptions? detection = null, bool addMirror = false)
    {
        detection = (detection ?? new MtcnnOptions()) with { IntraOpThreads = intraOpThreads };
        return name switch
        {
            PipelineNames.MtcnnFaceNet => new FaceNetPipeline(CreateDetector(detection), new MobileFaceNetEmbedder(ModelFiles.FaceModel(ModelFiles.MobileFaceNet), intraOpThreads, addMirror)),
            PipelineNames.MtcnnResNet => new MtcnnResNetPipeline(CreateDetector(detection), CreateResNet(intraOpThreads)),
            PipelineNames.ResNet => new ResNetPipeline(CreateResNet(intraOpThreads)),
            _ => throw new ArgumentException($"unknown pipeline '{name}'; choose one of: {string.Join(", ", PipelineNames.All)}", nameof(name)),
        };
    }

    public static MtcnnDetector CreateDetector(MtcnnOptions? options = null) =>
        new(ModelFiles.FaceModel(ModelFiles.PNet), ModelFiles.FaceModel(ModelFiles.RNet), ModelFiles.FaceModel(ModelFiles.ONet), options);

    private static ResNetEmbedder CreateResNet(int intraOpThreads) =>
        new(ModelFiles.ResNet18(), ModelFiles.ResNetPreprocess(), intraOpThreads);
}
