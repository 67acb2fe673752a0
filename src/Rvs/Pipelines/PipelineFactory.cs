using Rvs.Detection;
using Rvs.Errors;
using Rvs.Embedding;
using Rvs.Models;

namespace Rvs.Pipelines;

/// <summary>Builds a pipeline by name from the models shipped beside the library.</summary>
public static class PipelineFactory
{
    /// <param name="name">One of <see cref="PipelineNames.All"/>.</param>
    /// <param name="intraOpThreads">
    /// ONNX Runtime threads per model. 1 is best even for a single query: these networks are so small that
    /// splitting them over threads costs more than it saves (photos in parallel on one thread each against one photo
    /// on several threads: `Rvs.Bench pipeline`, measured in docs/BENCHMARKS.md).
    /// </param>
    /// <param name="detection">MTCNN settings for the face pipelines.</param>
    /// <param name="addMirror">
    /// mtcnn-facenet: also embed each face mirrored and add the vectors (see <see cref="MobileFaceNetEmbedder"/>).
    /// On by default: on LFW it lifts 10-fold verification and rank1 for a second MobileFaceNet pass per face
    /// (`rvs eval --pipeline mtcnn-facenet --with-plain`; the figures and the speed are in docs/RESULTS.md).
    /// </param>
    /// <param name="resolution">mtcnn-facenet: smallest face and alignment detail (<see cref="FaceResolution"/>).</param>
    public static IEmbeddingPipeline Create(string name, int intraOpThreads = 1, MtcnnOptions? detection = null, bool addMirror = true, FaceResolution? resolution = null)
    {
        detection = (detection ?? new MtcnnOptions()) with { IntraOpThreads = intraOpThreads };
        return name switch
        {
            PipelineNames.MtcnnFaceNet => WithDetector(detection, detector => new FaceNetPipeline(detector, new MobileFaceNetEmbedder(ModelFiles.FaceModel(ModelFiles.MobileFaceNet), intraOpThreads, addMirror), resolution)),
            PipelineNames.MtcnnResNet => WithDetector(detection, detector => new MtcnnResNetPipeline(detector, CreateResNet(intraOpThreads))),
            PipelineNames.ResNet => new ResNetPipeline(CreateResNet(intraOpThreads)),
            _ => throw new InvalidRequestException($"unknown pipeline '{name}'; choose one of: {string.Join(", ", PipelineNames.All)}"),
        };
    }

    /// <summary>Builds a pipeline around a new detector, disposing the detector's sessions if the rest fails to load.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The pipeline built owns the detector; it is disposed here when building fails.")]
    private static IEmbeddingPipeline WithDetector(MtcnnOptions detection, Func<MtcnnDetector, IEmbeddingPipeline> build)
    {
        var detector = CreateDetector(detection);
        try
        {
            return build(detector);
        }
        catch
        {
            detector.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The pipeline that made a collection's embeddings (same name and model id), so queries are embedded exactly
    /// as the collection was; a collection made by models this build does not have is refused, not mixed.
    /// </summary>
    public static IEmbeddingPipeline CreateMatching(string name, string modelId, int intraOpThreads = 1, FaceResolution? resolution = null)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        // The ids come from the files on disk, so a collection this build cannot reproduce is refused before any
        // model is loaded, and the one matching pipeline is loaded once.
        var addMirror = modelId == ModelIds.For(name, addMirror: true);
        if (!addMirror && (name != PipelineNames.MtcnnFaceNet || modelId != ModelIds.For(name, addMirror: false)))
        {
            throw new ModelMismatchException(
                $"this collection was embedded with '{modelId}', which this version of rvs cannot reproduce (its models are '{ModelIds.For(name)}'); re-index it into a new collection");
        }

        return Create(name, intraOpThreads, addMirror: addMirror, resolution: resolution);
    }

    public static MtcnnDetector CreateDetector(MtcnnOptions? options = null) =>
        new(ModelFiles.FaceModel(ModelFiles.PNet), ModelFiles.FaceModel(ModelFiles.RNet), ModelFiles.FaceModel(ModelFiles.ONet), options);

    private static ResNetEmbedder CreateResNet(int intraOpThreads) =>
        new(ModelFiles.ResNet18(), ModelFiles.ResNetPreprocess(), intraOpThreads);
}
