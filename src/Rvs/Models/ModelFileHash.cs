using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Rvs.Models;

/// <summary>
/// SHA-256 of model files, read from disk (no ONNX session is made) and kept for the life of the process: a
/// pipeline's model id names the exact bytes of its models, and every pipeline built afterwards reuses the digest.
/// A file rewritten in place (another length or write time) is hashed again.
/// </summary>
public static class ModelFileHash
{
    /// <summary>Hex digits of the combined digest that a model id carries; 48 bits tell apart any model files rvs will meet.</summary>
    public const int ShortLength = 12;

    private static readonly ConcurrentDictionary<(string Path, long Length, DateTime Written), byte[]> Digests = new();

    /// <summary>
    /// The first <see cref="ShortLength"/> hex digits of SHA-256 over the files' own SHA-256 digests, in the given
    /// order: a short name for exactly these bytes.
    /// </summary>
    public static string Short(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        using var combined = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var path in paths)
        {
            combined.AppendData(Of(path));
        }

        return Convert.ToHexStringLower(combined.GetHashAndReset())[..ShortLength];
    }

    /// <summary>The SHA-256 of one file's bytes.</summary>
    public static byte[] Of(string path)
    {
        var info = new FileInfo(Path.GetFullPath(path));
        if (!info.Exists)
        {
            throw new FileNotFoundException($"model file not found: {info.FullName} (see models/README.md to regenerate it)", info.FullName);
        }

        return Digests.GetOrAdd((info.FullName, info.Length, info.LastWriteTimeUtc), key =>
        {
            using var stream = File.OpenRead(key.Path);
            return SHA256.HashData(stream);
        });
    }
}
