using System.Collections.Concurrent;
using Mono.Unix;
using Mono.Unix.Native;

namespace Rvs.Catalog;

/// <summary>
/// Reads a folder photo (or video) back only if it is still the file that was indexed: a regular file (not a link,
/// pipe or device) whose real path lies under the folder it was indexed from, with the size and sha256 the catalog
/// recorded. Anything else is refused with the reason, so a photo replaced by a link to /etc/passwd or /dev/zero is
/// never served, and at most the recorded size is ever read.
/// </summary>
internal static class IndexedPhotoFile
{
    // A browser seeking in a video asks for it range by range; hashing the whole file for each request would read
    // it again every time. A file with the identity verified before (device, inode, size, modification and change
    // times: rewriting or replacing it changes the change time, which no user can set) is the file hashed then.
    private static readonly ConcurrentDictionary<(string Path, string Hash), (ulong, ulong, long, long, long, long, long)> VerifiedVideos = new();

    public static (byte[]? Bytes, string? Problem) Read(ImageRecord image)
    {
        var (stream, problem) = Open(image);
        if (stream is null)
        {
            return (null, problem);
        }

        using (stream)
        {
            var bytes = new byte[image.Size];
            stream.ReadExactly(bytes);
            return (bytes, null);
        }
    }

    /// <summary>
    /// The verified file, open at its start, for the caller to stream and dispose (a video is served in ranges). The
    /// hash is checked on this same open file, so what is checked is what is read.
    /// </summary>
    public static (FileStream? File, string? Problem) Open(ImageRecord image)
    {
        FileStream? stream = null;
        try
        {
            var real = Path.GetFullPath(image.Path);
            var root = Path.GetFullPath(image.Source).TrimEnd('/') + "/";
            if (!real.StartsWith(root, StringComparison.Ordinal))
            {
                return (null, "its file is not under the folder it was indexed from");
            }

            // No symbolic link between the folder and the file: a link put there later could lead anywhere.
            // (Mono.Unix's realpath is not used: it loops forever on "/" in the version served.)
            for (var path = real; path.Length >= root.Length; path = Path.GetDirectoryName(path)!)
            {
                if (new FileInfo(path).LinkTarget is not null)
                {
                    return (null, "its file is now a link, which may lead outside the folder it was indexed from");
                }
            }

            if (UnixFileSystemInfo.GetFileSystemEntry(real) is not { FileType: FileTypes.RegularFile } entry)
            {
                return (null, "its file is no longer a regular file");
            }

            if (entry.Length != image.Size)
            {
                return (null, "its file has changed since it was indexed");
            }

            stream = new FileStream(real, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.None);
            var identity = Identity(stream);
            var verified = image.IsVideo && identity is { } known && VerifiedVideos.TryGetValue((real, image.ContentHash), out var seen) && seen == known;
            if (!verified && (stream.Length != image.Size || FaceCollection.ContentHash(stream) != image.ContentHash))
            {
                stream.Dispose();
                return (null, "its file has changed since it was indexed");
            }

            if (image.IsVideo && identity is { } checkedNow)
            {
                VerifiedVideos[(real, image.ContentHash)] = checkedNow;
            }

            stream.Position = 0;
            return (stream, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or UnixIOException or ArgumentException or InvalidOperationException)
        {
            stream?.Dispose();
            return (null, "its file is no longer there");
        }
    }

    private static (ulong, ulong, long, long, long, long, long)? Identity(FileStream stream)
    {
        var fd = (int)stream.SafeFileHandle.DangerousGetHandle();
        return Syscall.fstat(fd, out var stat) == 0
            ? (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime, stat.st_mtime_nsec, stat.st_ctime, stat.st_ctime_nsec)
            : null;
    }
}
