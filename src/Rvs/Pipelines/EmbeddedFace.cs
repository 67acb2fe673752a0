using Rvs.Detection;

namespace Rvs.Pipelines;

/// <summary>A face of a photo (in original-photo pixels) and its L2-normalised embedding.</summary>
public sealed record EmbeddedFace(DetectedFace Face, float[] Embedding);
