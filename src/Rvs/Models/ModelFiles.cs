namespace Rvs.Models;

/// <summary>Finds the model files that the build copies next to the application.</summary>
public static class ModelFiles
{
    public const string PNet = "pnet";
    public const string RNet = "rnet";
    public const string ONet = "onet";
    public const string MobileFaceNet = "mobilefacenet";

    /// <summary>models/&lt;name&gt;.onnx under the application folder; Rvs.csproj copies the committed models there.</summary>
    public static string FaceModel(string name) => FaceModel(name, AppContext.BaseDirectory);

    public static string FaceModel(string name, string baseDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return RequireFile(
            Path.Combine(baseDirectory, "models", name + ".onnx"),
            $"Face model '{name}' is missing. It ships in the repository's models/ folder (regenerate with './rvs models convert') and the build copies it next to the application.");
    }

    /// <summary>ResNet18 as the Microsoft.ML.DnnImageFeaturizer.ResNet18 NuGet package lays it out at build time.</summary>
    public static string ResNet18() => ResNet18(AppContext.BaseDirectory);

    public static string ResNet18(string baseDirectory) => RequireFile(
        Path.Combine(baseDirectory, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx"),
        "ResNet18 is missing. The NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 copies it at build time; rebuild the project that references it.");

    /// <summary>The package's preprocessing graph (per-channel mean subtraction) that ML.NET runs before ResNet18.</summary>
    public static string ResNetPreprocess() => ResNetPreprocess(AppContext.BaseDirectory);

    public static string ResNetPreprocess(string baseDirectory) => RequireFile(
        Path.Combine(baseDirectory, "DnnImageModels", "ResNetPrepOnnx", "ResNetPreprocess.onnx"),
        "ResNet18's preprocessing graph is missing. The NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 copies it at build time; rebuild the project that references it.");

    private static string RequireFile(string path, string explanation) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"{explanation} Looked for {path}.", path);
}
