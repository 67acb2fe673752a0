namespace Rvs.Pipelines;

/// <summary>The three pipelines of the original report, by the names users type.</summary>
public static class PipelineNames
{
    /// <summary>MTCNN detection, 5-point alignment, MobileFaceNet: the default, and the one built for faces.</summary>
    public const string MtcnnFaceNet = "mtcnn-facenet";

    /// <summary>MTCNN face crop, then generic ResNet18 features.</summary>
    public const string MtcnnResNet = "mtcnn-resnet";

    /// <summary>Whole-image ResNet18 features, no face detection.</summary>
    public const string ResNet = "resnet";

    public static IReadOnlyList<string> All { get; } = [MtcnnFaceNet, MtcnnResNet, ResNet];
}
