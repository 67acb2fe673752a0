using System.Formats.Tar;
using System.IO.Compression;
using Rvs.Models;
using Xunit.Abstractions;

namespace Rvs.Tests.Models;

public sealed class FaceModelPackageTests(FaceModelSourceFixture source, ITestOutputHelper output) : IClassFixture<FaceModelSourceFixture>
{
    [Fact]
    public void converting_the_published_tflite_files_reproduces_the_committed_onnx_files_byte_for_byte()
    {
        if (source.TfLiteFiles is null)
        {
            output.WriteLine($"Not checked: {source.UnavailableReason}");
            return;
        }

        foreach (var (name, onnx) in FaceModelPackage.ConvertAll(source.TfLiteFiles))
        {
            var committed = File.ReadAllBytes(ModelFiles.FaceModel(name));
            Assert.True(committed.AsSpan().SequenceEqual(onnx), $"models/{name}.onnx differs from a fresh conversion; run './rvs models convert' and commit the result.");
        }
    }

    [Fact]
    public void convert_into_writes_the_four_models()
    {
        if (source.TfLiteFiles is null)
        {
            output.WriteLine($"Not checked: {source.UnavailableReason}");
            return;
        }

        var directory = Directory.CreateTempSubdirectory("rvs-models-");
        try
        {
            var written = FaceModelPackage.ConvertInto(directory.FullName);

            Assert.Equal(["mobilefacenet.onnx", "onet.onnx", "pnet.onnx", "rnet.onnx"], written.Select(Path.GetFileName).Order());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void a_tarball_without_the_models_is_rejected()
    {
        var path = Path.Combine(Path.GetTempPath(), $"rvs-empty-{Guid.NewGuid():N}.tgz");
        try
        {
            using (var file = File.Create(path))
            using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
            using (var tar = new TarWriter(gzip))
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, FaceModelPackage.AssetsFolder + "pnet.tflite") { DataStream = new MemoryStream([1, 2, 3]) };
                tar.WriteEntry(entry);
            }

            var error = Assert.Throws<InvalidDataException>(() => FaceModelPackage.ReadTfLiteFiles(path));

            Assert.Contains("MobileFaceNet.tflite", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void the_cache_folder_follows_xdg_cache_home()
    {
        var previous = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        try
        {
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", "/somewhere/cache");
            Assert.Equal("/somewhere/cache/rvs/npm", FaceModelPackage.DefaultCacheDirectory);
        }
        finally
        {
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", previous);
        }
    }
}
