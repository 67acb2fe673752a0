using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Mono.Unix;
using Mono.Unix.Native;
using Rvs.Sources;

namespace Rvs.Tests.Sources;

/// <summary>
/// What a real disk holds, made at test time: link loops, FIFOs, devices, dangling links, names that are not UTF-8,
/// crafted and truncated archives. Each walk runs under a deadline, so a hang fails the test instead of the suite.
/// </summary>
public sealed class PhotoSourceTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rvs-source-").FullName;

    [Fact]
    public void a_link_loop_of_two_links_and_a_link_to_its_own_folder_end_the_walk_and_each_photo_is_read_once()
    {
        var photos = Folder("photos");
        File.WriteAllBytes(Path.Combine(photos, "a.jpg"), [1, 2, 3]);
        File.CreateSymbolicLink(Path.Combine(photos, "x.jpg"), "y.jpg");
        File.CreateSymbolicLink(Path.Combine(photos, "y.jpg"), "x.jpg");
        Directory.CreateSymbolicLink(Path.Combine(photos, "self"), ".");
        Directory.CreateDirectory(Path.Combine(photos, "sub"));
        File.CreateSymbolicLink(Path.Combine(photos, "sub", "alias.jpg"), "../a.jpg");

        var found = Walk(photos);

        Assert.Equal(["a.jpg", "x.jpg", "y.jpg"], found.Select(p => p.RelativePath));
        Assert.Equal([1, 2, 3], found[0].Bytes);
        Assert.Null(found[0].Problem);
        Assert.All(found.Skip(1), p => Assert.Equal("a symbolic link loop: following it never reaches a file", p.Problem));
        Assert.Equal(3, PhotoSource.TryCount(photos));
    }

    [Fact]
    public void a_fifo_and_a_link_to_dev_zero_are_reported_without_being_read()
    {
        var photos = Folder("devices");
        Assert.Equal(0, Syscall.mkfifo(Path.Combine(photos, "fifo.jpg"), FilePermissions.DEFFILEMODE));
        File.CreateSymbolicLink(Path.Combine(photos, "zero.jpg"), "/dev/zero");

        var found = Walk(photos);

        Assert.Equal(["fifo.jpg", "zero.jpg"], found.Select(p => p.RelativePath));
        Assert.Equal("a named pipe (FIFO), not a photo file; it was not read", found[0].Problem);
        Assert.Equal("a character device (such as /dev/zero), not a photo file; it was not read", found[1].Problem);
        Assert.All(found, p => Assert.Empty(p.Bytes));
        Assert.True(new UnixFileInfo(Path.Combine(photos, "fifo.jpg")).FileType == FileTypes.Fifo, "the FIFO is left as it was");
    }

    [Fact]
    public void a_dangling_link_says_its_target_is_missing_not_that_the_file_is_empty()
    {
        var photos = Folder("dangling");
        File.CreateSymbolicLink(Path.Combine(photos, "gone.jpg"), "deleted.jpg");

        var photo = Assert.Single(Walk(photos));

        Assert.Equal("a dangling symbolic link: its target deleted.jpg does not exist", photo.Problem);
    }

    [Fact]
    public void a_photo_over_the_size_limit_is_reported_and_not_read_and_one_at_the_limit_is_read()
    {
        var photos = Folder("sizes");
        File.WriteAllBytes(Path.Combine(photos, "at-limit.jpg"), new byte[100]);
        File.WriteAllBytes(Path.Combine(photos, "over.jpg"), new byte[101]);

        var found = Walk(photos, maxPhotoBytes: 100);

        Assert.Equal(100, found[0].Bytes.Length);
        Assert.Null(found[0].Problem);
        Assert.Equal("101 bytes, over the 100-byte limit for one photo, so it was not read", found[1].Problem);
        Assert.Empty(found[1].Bytes);
    }

    [Fact]
    public void names_that_are_not_utf8_stay_distinct_photos_and_a_literal_replacement_character_is_not_mistaken_for_one()
    {
        var photos = Folder("names");
        CreateRawName(photos, [(byte)'n', 0xE9, (byte)'.', (byte)'j', (byte)'p', (byte)'g'], [1]);
        CreateRawName(photos, [(byte)'n', 0xEA, (byte)'.', (byte)'j', (byte)'p', (byte)'g'], [2]);
        File.WriteAllBytes(Path.Combine(photos, "n\uFFFDE9.jpg"), [3]);

        var found = Walk(photos).ToDictionary(p => p.RelativePath, p => p.Bytes[0]);

        Assert.Equal(3, found.Count);
        Assert.Equal(1, found["n\uFFFDE9.jpg"]);
        Assert.Equal(2, found["n\uFFFDEA.jpg"]);
        Assert.Equal(3, found["n\uFFFDEF\uFFFDBF\uFFFDBDE9.jpg"]);
    }

    [Fact]
    public void an_archive_entry_declaring_three_gibibytes_is_reported_without_overflow_and_the_missing_data_is_called_truncation()
    {
        var archive = Path.Combine(_root, "big.tar");
        var small = new MemoryStream();
        using (var writer = new TarWriter(small, TarEntryFormat.Ustar, leaveOpen: true))
        {
            writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, "small.jpg") { DataStream = new MemoryStream([7, 7]) });
        }

        // The small entry (header and one padded block, without the end-of-archive blocks), then a header that
        // declares 3 GiB of data with none after it: an int once overflowed on it and ended the run.
        File.WriteAllBytes(archive, [.. small.ToArray()[..1024], .. UstarHeader("huge.jpg", 3L << 30)]);

        using var photos = PhotoSource.Enumerate(archive).GetEnumerator();

        Assert.True(photos.MoveNext());
        Assert.Equal([7, 7], photos.Current.Bytes);
        Assert.True(photos.MoveNext());
        Assert.Equal("huge.jpg", photos.Current.RelativePath);
        Assert.Equal("3,221,225,472 bytes, over the 67,108,864-byte limit for one photo, so it was not read", photos.Current.Problem);
        var damage = Assert.Throws<InvalidDataException>(() => photos.MoveNext());
        Assert.StartsWith("the archive is truncated", damage.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void a_video_inside_an_archive_is_listed_as_not_indexed_with_the_way_to_index_it_and_counted()
    {
        var archive = Path.Combine(_root, "holiday.tar");
        using (var file = File.Create(archive))
        using (var writer = new TarWriter(file, TarEntryFormat.Ustar))
        {
            writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, "a.jpg") { DataStream = new MemoryStream([1, 2]) });
            writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, "clips/b.MP4") { DataStream = new MemoryStream(new byte[4096]) });
            writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, "notes.txt") { DataStream = new MemoryStream([3]) });
        }

        var entries = PhotoSource.Enumerate(archive).ToList();

        Assert.Equal(["a.jpg", "clips/b.MP4"], entries.Select(e => e.RelativePath));
        Assert.Null(entries[0].Problem);
        Assert.Equal(PhotoSource.VideoInArchive, entries[1].Problem);
        Assert.Empty(entries[1].Bytes);
        Assert.Null(entries[1].VideoFile);
        Assert.Equal(2, PhotoSource.TryCount(archive));
    }

    [Fact]
    public void a_truncated_tgz_yields_the_whole_photos_before_the_damage_then_says_it_is_truncated()
    {
        var archive = Path.Combine(_root, "photos.tgz");
        var contents = Enumerable.Range(0, 8).Select(i => RandomBytes(20_000, seed: i)).ToArray();
        using (var file = File.Create(archive))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var writer = new TarWriter(gzip, TarEntryFormat.Ustar))
        {
            for (var i = 0; i < contents.Length; i++)
            {
                writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, $"p/{i}.jpg") { DataStream = new MemoryStream(contents[i]) });
            }
        }

        var bytes = File.ReadAllBytes(archive);
        File.WriteAllBytes(archive, bytes[..(bytes.Length / 2)]);

        var read = new List<SourcePhoto>();
        var damage = Assert.Throws<InvalidDataException>(() => read.AddRange(PhotoSource.Enumerate(archive)));

        Assert.StartsWith("the archive is truncated", damage.Message, StringComparison.Ordinal);
        Assert.InRange(read.Count, 1, contents.Length - 1);
        Assert.All(read.Select((p, i) => (p, i)), x => Assert.Equal(contents[x.i], x.p.Bytes));
        Assert.Null(PhotoSource.TryCount(archive));
    }

    // Mono.Unix deletes what .NET cannot even name (the non-UTF-8 files); links are removed, never followed.
    public void Dispose() => new UnixDirectoryInfo(_root).Delete(recursive: true);

    private string Folder(string name) => Directory.CreateDirectory(Path.Combine(_root, name)).FullName;

    private static List<SourcePhoto> Walk(string folder, long maxPhotoBytes = PhotoSource.DefaultMaxPhotoBytes)
    {
        var walk = Task.Run(() => PhotoSource.Enumerate(folder, maxPhotoBytes).ToList());
        Assert.True(walk.Wait(TimeSpan.FromSeconds(30)), "the walk did not end in 30 s");
        return walk.Result;
    }

    private static void CreateRawName(string folder, byte[] name, byte[] content)
    {
        // .NET writes every name as UTF-8; Mono.Unix's encoding carries the raw bytes through to open(2).
        var path = folder + "/" + UnixEncoding.Instance.GetString(name);
        using var stream = new UnixFileInfo(path).Create();
        stream.Write(content);
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>A POSIX ustar header for a regular file of <paramref name="size"/> bytes (octal fields, checksum).</summary>
    private static byte[] UstarHeader(string name, long size)
    {
        var header = new byte[512];
        void Put(int offset, string text) => Encoding.ASCII.GetBytes(text).CopyTo(header, offset);
        Put(0, name);
        Put(100, "0000644\0");
        Put(108, "0000000\0");
        Put(116, "0000000\0");
        Put(124, Convert.ToString(size, 8).PadLeft(11, '0') + "\0");
        Put(136, "00000000000\0");
        Put(148, "        ");
        header[156] = (byte)'0';
        Put(257, "ustar\0");
        Put(263, "00");
        var checksum = header.Sum(b => b);
        Put(148, Convert.ToString(checksum, 8).PadLeft(6, '0') + "\0 ");
        return header;
    }
}
