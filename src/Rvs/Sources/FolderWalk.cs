using System.Buffers;
using System.Globalization;
using System.Text;
using Mono.Unix;
using Mono.Unix.Native;
using Rvs.Imaging.Video;

namespace Rvs.Sources;

/// <summary>
/// Walks a folder for photos and videos through the POSIX calls (Mono.Unix), because the walk must survive what a real
/// disk holds: symbolic links are followed, but every folder is entered once, by its device and inode, so a link loop
/// (a link to "." or two links to each other) ends instead of recursing; a file reached under several names (links)
/// is read once, under the first name in path order; only regular files are read, opened without blocking and
/// checked after opening, so a FIFO, a device such as /dev/zero or a file swapped for one since the walk is reported
/// rather than read; and a photo over the size limit is reported, not loaded.
/// </summary>
/// <remarks>
/// File names are raw bytes on Linux. A name that is not UTF-8 keeps one row per file: each byte that is not part of
/// valid UTF-8 is written as U+FFFD followed by its two hex digits (a literal U+FFFD is escaped the same way, so two
/// different names never read the same), e.g. "caf\uFFFDE9.jpg" for "caf" + 0xE9 + ".jpg".
/// </remarks>
internal static class FolderWalk
{
    /// <summary>A photo-named entry: the name stored in the catalog, the path to open, and why it cannot be read, if the walk already knows.</summary>
    public sealed record Entry(string RelativePath, string UnixPath, string? Problem);

    /// <summary>The photo-named entries under <paramref name="root"/>, in ordinal order of their relative paths.</summary>
    public static List<Entry> Photos(string root)
    {
        if (Syscall.stat(root, out var rootStat) != 0 || Kind(rootStat) != FilePermissions.S_IFDIR)
        {
            throw new DirectoryNotFoundException($"'{root}' is not a folder that can be read");
        }

        var enteredFolders = new HashSet<(ulong Device, ulong Inode)> { Identity(rootStat) };
        var found = new List<(Entry Entry, (ulong, ulong)? File)>();
        var pending = new Stack<(string UnixPath, string Relative)>();
        pending.Push((root, ""));
        while (pending.TryPop(out var folder))
        {
            var subfolders = new List<(string, string)>();
            foreach (var name in Names(folder.UnixPath))
            {
                var unixPath = folder.UnixPath.TrimEnd('/') + "/" + name;
                var relative = folder.Relative + DisplayName(name);
                if (Syscall.stat(unixPath, out var stat) != 0)
                {
                    var errno = Stdlib.GetLastError();
                    if (PhotoSource.IsFolderMediaPath(relative))
                    {
                        found.Add((new Entry(relative, unixPath, CannotFollow(unixPath, errno)), null));
                    }

                    continue;
                }

                var kind = Kind(stat);
                if (kind == FilePermissions.S_IFDIR)
                {
                    // A folder seen before is a loop or a second link to it: walking it again would never end or
                    // would index the same photos twice.
                    if (enteredFolders.Add(Identity(stat)))
                    {
                        subfolders.Add((unixPath, relative + "/"));
                    }
                }
                else if (PhotoSource.IsFolderMediaPath(relative))
                {
                    found.Add(kind == FilePermissions.S_IFREG
                        ? (new Entry(relative, unixPath, null), Identity(stat))
                        : (new Entry(relative, unixPath, NotAFile(kind)), null));
                }
            }

            // Pushed in reverse so folders are walked in name order: which of two links to a folder counts is stable.
            for (var i = subfolders.Count - 1; i >= 0; i--)
            {
                pending.Push(subfolders[i]);
            }
        }

        var seenFiles = new HashSet<(ulong, ulong)>();
        return found
            .OrderBy(f => f.Entry.RelativePath, StringComparer.Ordinal)
            .Where(f => f.File is not { } file || seenFiles.Add(file))
            .Select(f => f.Entry)
            .ToList();
    }

    /// <summary>Reads one entry, or says in words why it cannot be read; never throws for a bad file.</summary>
    public static SourcePhoto Read(Entry entry, long maxBytes)
    {
        if (entry.Problem is not null)
        {
            return SourcePhoto.Unreadable(entry.RelativePath, entry.Problem);
        }

        // O_NONBLOCK: opening a FIFO would otherwise wait for a writer forever (it does nothing to regular files).
        var fd = Syscall.open(entry.UnixPath, OpenFlags.O_RDONLY | OpenFlags.O_NONBLOCK | OpenFlags.O_CLOEXEC);
        if (fd < 0)
        {
            return SourcePhoto.Unreadable(entry.RelativePath, CannotFollow(entry.UnixPath, Stdlib.GetLastError()));
        }

        using var stream = new UnixStream(fd, ownsHandle: true);
        try
        {
            // What was opened is checked, not what the walk saw: the entry may have been replaced in between.
            if (Syscall.fstat(fd, out var stat) != 0)
            {
                return SourcePhoto.Unreadable(entry.RelativePath, $"could not be read: {UnixMarshal.GetErrorDescription(Stdlib.GetLastError())}");
            }

            if (Kind(stat) != FilePermissions.S_IFREG)
            {
                return SourcePhoto.Unreadable(entry.RelativePath, NotAFile(Kind(stat)));
            }

            if (VideoFrames.IsVideoPath(entry.RelativePath))
            {
                // A video is not loaded: ffmpeg streams it from the file, so the photo size limit does not apply.
                return new SourcePhoto(entry.RelativePath, []) { VideoFile = entry.UnixPath, VideoSize = stat.st_size };
            }

            if (stat.st_size > maxBytes)
            {
                return SourcePhoto.Unreadable(entry.RelativePath, TooLarge(stat.st_size, maxBytes));
            }

            var bytes = new byte[stat.st_size];
            var read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            return new SourcePhoto(entry.RelativePath, read == bytes.Length ? bytes : bytes[..read]);
        }
        catch (IOException e)
        {
            return SourcePhoto.Unreadable(entry.RelativePath, $"could not be read: {e.Message}");
        }
    }

    public static string TooLarge(long size, long maxBytes) => string.Create(CultureInfo.InvariantCulture,
        $"{size:N0} bytes, over the {maxBytes:N0}-byte limit for one photo, so it was not read");

    private static IEnumerable<string> Names(string folder)
    {
        var handle = Syscall.opendir(folder);
        if (handle == IntPtr.Zero)
        {
            // An unreadable folder (no permission) is left out, as before; its photos cannot be listed to report.
            return [];
        }

        var names = new List<string>();
        try
        {
            while (Syscall.readdir(handle) is { } entry)
            {
                if (entry.d_name is not "." and not "..")
                {
                    names.Add(entry.d_name);
                }
            }
        }
        finally
        {
            _ = Syscall.closedir(handle);
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    private static FilePermissions Kind(Stat stat) => stat.st_mode & FilePermissions.S_IFMT;

    private static (ulong, ulong) Identity(Stat stat) => (stat.st_dev, stat.st_ino);

    private static string NotAFile(FilePermissions kind) => kind switch
    {
        FilePermissions.S_IFIFO => "a named pipe (FIFO), not a photo file; it was not read",
        FilePermissions.S_IFCHR => "a character device (such as /dev/zero), not a photo file; it was not read",
        FilePermissions.S_IFBLK => "a block device, not a photo file; it was not read",
        FilePermissions.S_IFSOCK => "a socket, not a photo file; it was not read",
        _ => "not a regular file; it was not read",
    };

    /// <summary>Why stat or open failed, in words: a dangling or looping link is named as such, not as an empty file.</summary>
    private static string CannotFollow(string unixPath, Errno errno)
    {
        var isLink = Syscall.lstat(unixPath, out var own) == 0 && Kind(own) == FilePermissions.S_IFLNK;
        return errno switch
        {
            Errno.ENOENT when isLink => $"a dangling symbolic link: its target {DisplayName(UnixPath.TryReadLink(unixPath) ?? "(unreadable)")} does not exist",
            Errno.ELOOP => "a symbolic link loop: following it never reaches a file",
            Errno.EACCES or Errno.EPERM => "permission denied: this user may not read it",
            _ => $"could not be opened: {UnixMarshal.GetErrorDescription(errno)}",
        };
    }

    /// <summary>A name as stored: itself when it is UTF-8, else with each stray byte escaped (see the remarks).</summary>
    internal static string DisplayName(string unixName)
    {
        // Mono.Unix keeps a stray byte as U+0000 followed by the byte, so a name without either marker is valid UTF-8.
        if (!unixName.Contains('\0', StringComparison.Ordinal) && !unixName.Contains('\uFFFD', StringComparison.Ordinal))
        {
            return unixName;
        }

        ReadOnlySpan<byte> raw = UnixEncoding.Instance.GetBytes(unixName);
        var text = new StringBuilder(raw.Length + 8);
        while (!raw.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(raw, out var rune, out var consumed);
            if (status == OperationStatus.Done && rune != Rune.ReplacementChar)
            {
                text.Append(rune.ToString());
            }
            else
            {
                for (var i = 0; i < consumed; i++)
                {
                    text.Append('\uFFFD').Append(raw[i].ToString("X2", CultureInfo.InvariantCulture));
                }
            }

            raw = raw[Math.Max(consumed, 1)..];
        }

        return text.ToString();
    }
}
