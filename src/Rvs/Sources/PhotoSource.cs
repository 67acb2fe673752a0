using System.Formats.Tar;
using System.IO.Compression;

namespace Rvs.Sources;

/// <summary>
/// Enumerates the photos under a folder or inside a .tgz/.tar.gz/.tar archive, in a stable (ordinal path) order
/// for folders and archive order for archives. Archives are streamed, never extracted to disk.
/// Files are picked by extension; their content is still sniffed when decoded.
/// </summary>
public static class PhotoSource
{
    private static readonly HashSet<string> PhotoExtensions =
        new([".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".heic", ".heif", ".avif"], StringComparer.OrdinalIgnoreCase);

    public static bool IsArchive(string path) =>
        path.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase)
        || path.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase)
        || path.EndsWith(".tar", StringComparison.OrdinalIgnoreCase);

    public static bool IsPhotoPath(string path) => PhotoExtensions.Contains(Path.GetExtension(path));

    public static IEnumerable<SourcePhoto> Enumerate(string folderOrArchive)
    {
        if (Directory.Exists(folderOrArchive))
        {
            return EnumerateFolder(folderOrArchive);
        }

        if (File.Exists(folderOrArchive) && IsArchive(folderOrArchive))
        {
            return EnumerateArchive(folderOrArchive);
        }

        throw new FileNotFoundException(File.Exists(folderOrArchive)
            ? $"'{folderOrArchive}' is neither a folder nor a .tgz/.tar archive"
            : $"'{folderOrArchive}' does not exist", folderOrArchive);
    }

    /// <summary>
    /// How many photos <see cref="Enumerate"/> will yield, for progress and ETA; null if the source can't be read.
    /// Archives are walked header by header, which costs one extra decompression (about a second for LFW).
    /// </summary>
    public static long? TryCount(string folderOrArchive)
    {
        try
        {
            if (Directory.Exists(folderOrArchive))
            {
                return Directory.EnumerateFiles(folderOrArchive, "*", FolderWalk).LongCount(IsPhotoPath);
            }

            using var file = File.OpenRead(folderOrArchive);
            using var tarStream = OpenArchive(folderOrArchive, file);
            using var reader = new TarReader(tarStream);
            long count = 0;
            while (reader.GetNextEntry() is { } entry)
            {
                if (IsPhotoEntry(entry))
                {
                    count++;
                }
            }

            return count;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or FormatException)
        {
            return null;
        }
    }

    private static readonly EnumerationOptions FolderWalk = new() { RecurseSubdirectories = true, IgnoreInaccessible = true };

    private static Stream OpenArchive(string path, Stream file) =>
        path.EndsWith(".tar", StringComparison.OrdinalIgnoreCase) ? file : new GZipStream(file, CompressionMode.Decompress);

    private static bool IsPhotoEntry(TarEntry entry) =>
        entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile && IsPhotoPath(entry.Name);

    private static IEnumerable<SourcePhoto> EnumerateFolder(string folder)
    {
        var root = Path.GetFullPath(folder);
        var files = Directory.EnumerateFiles(root, "*", FolderWalk)
            .Where(IsPhotoPath)
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Unreadable files still surface, so the caller reports them instead of silently dropping them.
                bytes = [];
            }

            yield return new SourcePhoto(Path.GetRelativePath(root, file).Replace('\\', '/'), bytes);
        }
    }

    private static IEnumerable<SourcePhoto> EnumerateArchive(string archive)
    {
        using var file = File.OpenRead(archive);
        using var tarStream = OpenArchive(archive, file);
        using var reader = new TarReader(tarStream);
        while (reader.GetNextEntry() is { } entry)
        {
            if (!IsPhotoEntry(entry) || entry.DataStream is null)
            {
                continue;
            }

            using var buffer = new MemoryStream((int)entry.Length);
            entry.DataStream.CopyTo(buffer);
            yield return new SourcePhoto(entry.Name.TrimStart('.', '/'), buffer.ToArray());
        }
    }
}
