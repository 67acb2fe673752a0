namespace Rvs.Models.Conversion;

public sealed record TfLiteToOnnxOptions
{
    /// <summary>
    /// Makes the input's height and width symbolic. For fully convolutional models (MTCNN's P-Net) whose
    /// TFLite input size is only a placeholder.
    /// </summary>
    public bool SymbolicSpatialSize { get; init; }

    public string BatchDimensionName { get; init; } = "batch";

    public string HeightDimensionName { get; init; } = "height";

    public string WidthDimensionName { get; init; } = "width";
}
