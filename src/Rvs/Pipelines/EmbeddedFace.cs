using Rvs.Detection;
using Rvs.Embedding;

namespace Rvs.Pipelines;

/// <summary>A face of a photo (in original-photo pixels) and its unit-length embedding.</summary>
public sealed record EmbeddedFace(DetectedFace Face, FaceEmbedding Embedding);
