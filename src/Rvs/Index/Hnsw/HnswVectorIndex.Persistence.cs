using System.Text.Json;
using Cloud.Unum.USearch;

namespace Rvs.Index;

/// <summary>Saving an index to a file and opening it again, loaded or memory-mapped, with its attributes alongside.</summary>
public sealed partial class HnswVectorIndex
{
    /// <summary>Reads a saved index fully into memory; it can be searched and changed.</summary>
    public static HnswVectorIndex Load(string path, HnswOptions? options = null) => Open(path, options, view: false);

    /// <summary>Memory-maps a saved index: opens instantly and shares pages with the OS cache, but is read-only.</summary>
    public static HnswVectorIndex View(string path, HnswOptions? options = null) => Open(path, options, view: true);

    /// <summary>
    /// Writes the index to <paramref name="path"/> atomically (a temporary file renamed over the target), plus
    /// attributes, if any, to "&lt;path&gt;.attributes.json", and a quantised graph's float32 vectors to
    /// "&lt;path&gt;.f32".
    /// </summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _lock.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var temporary = path + ".tmp";
            _index.Save(temporary);
            var exactRowsPath = ExactRowsPath(path);
            if (_exactRows is null)
            {
                File.Delete(exactRowsPath);
            }
            else
            {
                _exactRows.Write(exactRowsPath + ".tmp", Options.Storage);
                File.Move(exactRowsPath + ".tmp", exactRowsPath, overwrite: true);
            }

            var attributesPath = AttributesPath(path);
            if (_attributes.Count > 0)
            {
                File.WriteAllText(attributesPath + ".tmp", JsonSerializer.Serialize(_attributes));
                File.Move(attributesPath + ".tmp", attributesPath, overwrite: true);
            }
            else
            {
                File.Delete(attributesPath);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private static HnswVectorIndex Open(string path, HnswOptions? options, bool view)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No HNSW index at {path}.", path);
        }

        var attributesPath = AttributesPath(path);
        var attributes = File.Exists(attributesPath)
            ? JsonSerializer.Deserialize<Dictionary<long, string>>(File.ReadAllText(attributesPath)) ?? []
            : [];
        var index = new USearchIndex(path, view);
        try
        {
            options ??= new HnswOptions();
            ExactRows? exactRows = null;
            if (File.Exists(ExactRowsPath(path)))
            {
                (exactRows, var storage) = ExactRows.Read(ExactRowsPath(path), checked((int)index.Dimensions()));
                options = options with { Storage = storage };
            }
            else
            {
                options = options with { Storage = HnswStorage.Float32 };
            }

            return new HnswVectorIndex(index, options, view, attributes, exactRows);
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    /// <summary>Where <see cref="Save"/> puts the attributes of the index saved at <paramref name="path"/>.</summary>
    public static string AttributesPath(string path) => path + ".attributes.json";

    /// <summary>Where <see cref="Save"/> puts the float32 vectors of a quantised index saved at <paramref name="path"/>.</summary>
    public static string ExactRowsPath(string path) => path + ".f32";
}
