using Rvs.Pipelines;

namespace Rvs.Tests.Support;

/// <summary>Model sessions are expensive to open; tests share one of each (ORT sessions are thread-safe).</summary>
internal static class SharedPipelines
{
    private static readonly Lazy<FaceNetPipeline> LazyFaceNet = new(() => (FaceNetPipeline)PipelineFactory.Create(PipelineNames.MtcnnFaceNet));

    public static FaceNetPipeline FaceNet => LazyFaceNet.Value;
}
