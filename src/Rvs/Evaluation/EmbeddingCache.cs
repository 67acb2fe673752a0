using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Rvs.Pipelines;

namespace Rvs.Evaluation;

/// <summary>
/// Embeddings of an evaluation data set kept on disk per pipeline (Name + ModelId) and source, so that a second
/// <c>rvs eval</c> skips the minutes of embedding. One compact binary file per entry: a header, the keys, the
/// detection-failure flags and the float matrix. Files are written to a temporary name and renamed, so a crash or
/// a concurrent run never leaves a half-written entry under the real name.
/// </summary>
public sealed class EmbeddingCache
{
    private const int Magic = 0x45535652; // "RVSE" little-endian
    private const int FormatVersion = 1;

    public EmbeddingCache(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        DirectoryPath = directory;
    }

    public string DirectoryPath { get; }

    /// <summary>$XDG_CACHE_HOME/rvs/eval, or ~/.cache/rvs/eval where XDG_CACHE_HOME is unset.</summary>
    public static string DefaultDirectory() => UserCache.Folder("eval");

    /// <summary>
    /// The file of an entry. The model id can hold any character, so it enters the name only through a hash; the
    /// readable pipeline name comes first so a person can tell the files apart.
    /// </summary>
    public string PathFor(string pipelineName, string modelId, string sourceId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{pipelineName}\n{modelId}\n{sourceId}"));
        var safeName = string.Concat(pipelineName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_'));
        return Path.Combine(DirectoryPath, $"{safeName}-{Convert.ToHexStringLower(hash, 0, 8)}.emb");
    }

    /// <summary>
    /// The cached set, or null when there is none or it was made for another pipeline, model or source. An entry
    /// saved under the id's older, recipe-only form (<see cref="ModelIds.RecipeOnlyFormOf"/>: same model files) is
    /// used too, and saved again under the current id.
    /// </summary>
    public EmbeddingSet? TryLoad(string pipelineName, string modelId, string sourceId)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        var set = TryLoadExactly(pipelineName, modelId, sourceId);
        if (set is null && ModelIds.RecipeOnlyFormOf(modelId) is { } recipeOnly && TryLoadExactly(pipelineName, recipeOnly, sourceId) is { } old)
        {
            Save(pipelineName, modelId, sourceId, old);
            File.Delete(PathFor(pipelineName, recipeOnly, sourceId));
            set = old;
        }

        return set;
    }

    private EmbeddingSet? TryLoadExactly(string pipelineName, string modelId, string sourceId)
    {
        var path = PathFor(pipelineName, modelId, sourceId);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using var reader = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
            if (reader.ReadInt32() != Magic || reader.ReadInt32() != FormatVersion
                || reader.ReadString() != pipelineName || reader.ReadString() != modelId || reader.ReadString() != sourceId)
            {
                return null;
            }

            var seconds = reader.ReadDouble();
            var count = reader.ReadInt32();
            var dimensions = reader.ReadInt32();
            if (count < 0 || dimensions < 1)
            {
                return null;
            }

            var keys = new string[count];
            for (var i = 0; i < count; i++)
            {
                keys[i] = reader.ReadString();
            }

            var flags = reader.ReadBytes(count);
            var vectors = new float[checked(count * dimensions)];
            var bytes = MemoryMarshal.AsBytes(vectors.AsSpan());
            if (flags.Length != count || reader.BaseStream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) != bytes.Length
                || reader.BaseStream.Position != reader.BaseStream.Length)
            {
                return null;
            }

            if (!BitConverter.IsLittleEndian)
            {
                throw new PlatformNotSupportedException("the embedding cache is little-endian only");
            }

            return new EmbeddingSet(keys, vectors, dimensions, flags.Select(b => b != 0).ToArray(), seconds);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or OverflowException)
        {
            // A damaged entry costs one re-embedding, never a failed evaluation.
            return null;
        }
    }

    public void Save(string pipelineName, string modelId, string sourceId, EmbeddingSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("the embedding cache is little-endian only");
        }

        Directory.CreateDirectory(DirectoryPath);
        var path = PathFor(pipelineName, modelId, sourceId);
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            using (var writer = new BinaryWriter(stream, Encoding.UTF8))
            {
                writer.Write(Magic);
                writer.Write(FormatVersion);
                writer.Write(pipelineName);
                writer.Write(modelId);
                writer.Write(sourceId);
                writer.Write(set.Seconds);
                writer.Write(set.Count);
                writer.Write(set.Dimensions);
                foreach (var key in set.Keys)
                {
                    writer.Write(key);
                }

                writer.Write(set.DetectionFailed.Select(failed => (byte)(failed ? 1 : 0)).ToArray());
                writer.Write(MemoryMarshal.AsBytes(set.Vectors.AsSpan()));
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
