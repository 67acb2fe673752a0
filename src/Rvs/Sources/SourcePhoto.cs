namespace Rvs.Sources;

/// <summary>
/// One photo read from a folder or an archive. <see cref="RelativePath"/> uses '/' and is relative to the
/// folder (or the archive's root), e.g. "lfw/Aaron_Eckhart/Aaron_Eckhart_0001.jpg". When the source could not read
/// it, <see cref="Problem"/> says why in words (a dangling link, a FIFO, over the size limit...) and Bytes is empty.
/// </summary>
public sealed record SourcePhoto(string RelativePath, byte[] Bytes)
{
    public string? Problem { get; init; }

    /// <summary>
    /// For a video: the file to read it from (videos are not loaded into memory; ffmpeg reads the file) and its size.
    /// Bytes is then empty.
    /// </summary>
    public string? VideoFile { get; init; }

    public long VideoSize { get; init; }

    public static SourcePhoto Unreadable(string relativePath, string problem) => new(relativePath, []) { Problem = problem };

    /// <summary>The name of the folder that holds the photo (LFW keeps one person per folder), or null at the root.</summary>
    public string? FolderName
    {
        get
        {
            var slash = RelativePath.LastIndexOf('/');
            if (slash <= 0)
            {
                return null;
            }

            var start = RelativePath.LastIndexOf('/', slash - 1) + 1;
            return RelativePath[start..slash];
        }
    }
}
