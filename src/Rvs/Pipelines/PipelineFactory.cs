using Rvs.Detection;
using Rvs.Embedding;
using Rvs.Models;

namespace Rvs.Pipelines;

/// <summary>Builds a pipeline by name from the models shipped beside the library.</summary>
public static class PipelineFactory
{
    /// <param name="name">One of <see cref="PipelineNames.All"/>.</param>
    /// <param name="intraOpThreads">
    /// ONNX Runtime threads per model. 1 is best even for a single query: these networks are so small that
    /// splitting them over threads costs more than it saves (one photo at a time, 2 threads ran at 14 images/s
    /// against 61 images/s for two photos in parallel on one thread each; `Rvs.Bench pipeline`, docs/BENCHMARKS.md).
    /// </param>
    /// <param name="detection">MTCNN settings for the face pipelines.</param>
    /// <param name="addMirror">
    /// mtcnn-facenet: also embed each face mirrored and add the vectors (see <see cref="MobileFaceNetEmbedder"/>).
    /// On by default: on LFW it lifts 10-fold verification from 99.27% to 99.32% and rank1 from 98.71% to 98.72%,
    /// for a second MobileFaceNet pass per face; the whole pipeline still ran at 62 images/s on 2 cores
    /// (`rvs eval --pipeline mtcnn-facenet --with-plain`, docs/RESULTS.md).
    /// </param>
    /// <param name="resolution">mtcnn-facenet: smallest face and alignment detail (<see cref="FaceResolution"/>).</param>
    public static IEmbeddingPipeline Create(string name, int intraOpThreads = 1, MtcnnOptions? detection = null, bool addMirror = true, FaceResolution? resolution = null)
    {
        detection = (detection ?? new MtcnnOptions()) with { IntraOpThreads = intraOpThreads };
        return name switch
        {
            PipelineNames.MtcnnFaceNet => new FaceNetPipeline(CreateDetector(detection), new MobileFaceNetEmbedder(ModelFiles.FaceModel(ModelFiles.MobileFaceNet), intraOpThreads, addMirror), resolution),
            PipelineNames.MtcnnResNet => new MtcnnResNetPipeline(CreateDetector(detection), CreateResNet(intraOpThreads)),
            PipelineNames.ResNet => new ResNetPipeline(CreateResNet(intraOpThreads)),
            _ => throw new ArgumentException($"unknown pipeline '{name}'; choose one of: {string.Join(", ", PipelineNames.All)}", nameof(name)),
        };
    }

    /// <summary>
    /// The pipeline that made a collection's embeddings (same name and model id), so queries are embedded exactly
    /// as the collection was; a collection made by models this build does not have is refused, not mixed.
    /// </summary>
    public static IEmbeddingPipeline CreateMatching(string name, string modelId, int intraOpThreads = 1)
    {
        foreach (var mirror in new[] { true, false })
        {
            var pipeline = Create(name, intraOpThreads, addMirror: mirror);
            if (pipeline.ModelId == modelId)
            {
                return pipeline;
            }

            pipeline.Dispose();
            if (name != PipelineNames.MtcnnFaceNet)
            {
                break;
            }
        }

        throw new InvalidOperationException(
            $"this collection was embedded with '{modelId}', which this version of rvs cannot reproduce; re-index it into a new collection");
    }

    public static MtcnnDetector CreateDetector(MtcnnOptions? options = null) =>
        new(ModelFiles.FaceModel(ModelFiles.PNet), ModelFiles.FaceModel(ModelFiles.RNet), ModelFiles.FaceModel(ModelFiles.ONet), options);

    private static ResNetEmbedder CreateResNet(int intraOpThreads) =>
        new(ModelFiles.ResNet18(), ModelFiles.ResNetPreprocess(), intraOpThreads);
}
