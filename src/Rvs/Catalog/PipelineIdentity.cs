using Rvs.Pipelines;

namespace Rvs.Catalog;

/// <summary>What makes two embeddings comparable: the pipeline, its models and the vector size.</summary>
public sealed record PipelineIdentity(string Name, string ModelId, int Dimensions)
{
    public static PipelineIdentity Of(IEmbeddingPipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return new PipelineIdentity(pipeline.Name, pipeline.ModelId, pipeline.Dimensions);
    }

    public override string ToString() => $"'{Name}' (model {ModelId}, {Dimensions} dimensions)";
}
