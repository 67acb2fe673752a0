using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using Rvs.Imaging.Video;

namespace Rvs.Sources;

/// <summary>
/// Enumerates the photos (and, in folders, the videos) under a folder or inside a .tgz/.tar.gz/.tar archive, in a
/// stable (ordinal path) order for folders and archive order for archives. Archives are streamed, never extracted.
/// Files are picked by extension; their content is still sniffed when decoded. A photo that cannot be read (a
/// dangling link, a FIFO, a device, one over <see cref="DefaultMaxPhotoBytes"/>) is yielded with its
/// <see cref="SourcePhoto.Problem"/>, so it is reported and the run goes on; folders are walked by
/// <see cref="FolderWalk"/> (links followed, loops cut). A damaged archive throws <see cref="InvalidDataException"/>
/// after the photos before the damage.
/// </summary>
public static class PhotoSource
{
    private static readonly HashSet<string> PhotoExtensions =
        new([".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".heic", ".heif", ".avif"], StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The largest photo file read by default (64 MiB): it bounds the memory a run holds per photo in flight, and
    /// keeps a mislabelled disk image or video from being loaded whole; <c>IndexingOptions.MaxPhotoBytes</c> changes it.
    /// </summary>
    public const long DefaultMaxPhotoBytes = 64L * 1024 * 1024;

    public static bool IsArchive(string path) =>
        path.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase)
        || path.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase)
        || path.EndsWith(".tar", StringComparison.OrdinalIgnoreCase);

    public static bool IsPhotoPath(string path) => PhotoExtensions.Contains(Path.GetExtension(path));

    /// <summary>A photo, or a video (videos are read from folders only: ffmpeg needs a file it can seek in).</summary>
    public static bool IsFolderMediaPath(string path) => IsPhotoPath(path) || VideoFrames.IsVideoPath(path);

    public static IEnumerable<SourcePhoto> Enumerate(string folderOrArchive, long maxPhotoBytes = DefaultMaxPhotoBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPhotoBytes);
        if (Directory.Exists(folderOrArchive))
        {
            return EnumerateFolder(folderOrArchive, maxPhotoBytes);
        }

        if (File.Exists(folderOrArchive) && IsArchive(folderOrArchive))
        {
            return EnumerateArchive(folderOrArchive, maxPhotoBytes);
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
                return FolderWalk.Photos(Path.GetFullPath(folderOrArchive)).Count;
            }

            using var file = File.OpenRead(folderOrArchive);
            using var tarStream = OpenArchive(folderOrArchive, file);
            using var reader = new TarReader(tarStream);
            long count = 0;
            while (NextEntry(reader) is { } entry)
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

    private static Stream OpenArchive(string path, Stream file) =>
        path.EndsWith(".tar", StringComparison.OrdinalIgnoreCase) ? file : new GZipStream(file, CompressionMode.Decompress);

    /// <summary>A photo, or a video (which is reported, not read: see <see cref="VideoInArchive"/>).</summary>
    private static bool IsPhotoEntry(TarEntry entry) =>
        entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile && IsFolderMediaPath(entry.Name);

    /// <summary>
    /// Why a video inside an archive is not indexed: ffmpeg reads videos from files it can seek in, and a result must
    /// be able to open the video at the time of its face, which a video left inside an archive would not allow.
    /// Listed with the photos that could not be read, so a user learns of it rather than missing it silently.
    /// </summary>
    public const string VideoInArchive = "a video inside an archive is not indexed: extract the archive and index the folder";

    private static IEnumerable<SourcePhoto> EnumerateFolder(string folder, long maxPhotoBytes)
    {
        foreach (var entry in FolderWalk.Photos(Path.GetFullPath(folder)))
        {
            yield return FolderWalk.Read(entry, maxPhotoBytes);
        }
    }

    private static IEnumerable<SourcePhoto> EnumerateArchive(string archive, long maxPhotoBytes)
    {
        using var file = File.OpenRead(archive);
        using var tarStream = OpenArchive(archive, file);
        using var reader = new TarReader(tarStream);
        while (NextEntry(reader) is { } entry)
        {
            if (!IsPhotoEntry(entry) || entry.DataStream is null)
            {
                continue;
            }

            var name = entry.Name.TrimStart('.', '/');
            if (VideoFrames.IsVideoPath(name))
            {
                yield return SourcePhoto.Unreadable(name, VideoInArchive);
                continue;
            }

            if (entry.Length > maxPhotoBytes)
            {
                // Not read: the reader skips its data on the next entry (an entry over 2 GiB once overflowed here).
                yield return SourcePhoto.Unreadable(name, FolderWalk.TooLarge(entry.Length, maxPhotoBytes));
                continue;
            }

            var bytes = new byte[entry.Length];
            var read = entry.DataStream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (read < bytes.Length)
            {
                // A truncated archive gives a short last entry rather than an error; half a photo is not indexed.
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"the archive is truncated: it ends inside {name} ({read:N0} of its {entry.Length:N0} bytes)"));
            }

            yield return new SourcePhoto(name, bytes);
        }
    }

    private static TarEntry? NextEntry(TarReader reader)
    {
        try
        {
            return reader.GetNextEntry();
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("the archive is truncated: it ends in the middle of an entry's header or data", e);
        }
    }
}
