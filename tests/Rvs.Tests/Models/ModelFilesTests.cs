using Rvs.Models;

namespace Rvs.Tests.Models;

public sealed class ModelFilesTests
{
    [Theory]
    [InlineData(ModelFiles.PNet)]
    [InlineData(ModelFiles.RNet)]
    [InlineData(ModelFiles.ONet)]
    [InlineData(ModelFiles.MobileFaceNet)]
    public void the_committed_face_models_are_copied_next_to_the_application(string name)
    {
        Assert.True(File.Exists(ModelFiles.FaceModel(name)));
    }

    [Fact]
    public void a_missing_face_model_says_how_to_get_it()
    {
        var error = Assert.Throws<FileNotFoundException>(() => ModelFiles.FaceModel("pnet", "/nonexistent"));

        Assert.Contains("rvs models convert", error.Message, StringComparison.Ordinal);
        Assert.Equal("/nonexistent/models/pnet.onnx", error.FileName);
    }

    [Fact]
    public void a_missing_resnet18_names_its_nuget_package()
    {
        var error = Assert.Throws<FileNotFoundException>(() => ModelFiles.ResNet18("/nonexistent"));

        Assert.Contains("Microsoft.ML.DnnImageFeaturizer.ResNet18", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void resnet18_is_found_where_its_package_puts_it()
    {
        var directory = Directory.CreateTempSubdirectory("rvs-resnet-");
        try
        {
            var expected = Path.Combine(directory.FullName, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");
            Directory.CreateDirectory(Path.GetDirectoryName(expected)!);
            File.WriteAllBytes(expected, [0]);

            Assert.Equal(expected, ModelFiles.ResNet18(directory.FullName));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
