using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace Rvs.Testing;

/// <summary>
/// Writes a valid PNG of one colour at any size without holding its pixels: rows are streamed through zlib, so a
/// 20000x20000 photo (1.2 GB of RGB) becomes a file of about a megabyte, the shape of a decompression bomb.
/// </summary>
public static class OneColourPng
{
    /// <summary>An RGB PNG of one colour.</summary>
    public static byte[] Make(int width, int height, byte red, byte green, byte blue) => Make(width, height, [red, green, blue]);

    /// <summary>A greyscale PNG of one level: a third of the RGB rows, so a 32768x32768 bomb is about a megabyte.</summary>
    public static byte[] Grey(int width, int height, byte level) => Make(width, height, [level]);

    private static byte[] Make(int width, int height, byte[] colour)
    {
        using var output = new MemoryStream();
        output.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = colour.Length == 3 ? (byte)2 : (byte)0; // RGB or greyscale, no interlace
        WriteChunk(output, "IHDR", header);
        WriteChunk(output, "IDAT", CompressedRows(width, height, colour));
        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    private static byte[] CompressedRows(int width, int height, byte[] colour)
    {
        // Filter "Up" (2) after the first row: every later row is all zero bytes, which deflate shrinks ~1000x.
        var first = new byte[1 + width * colour.Length];
        for (var i = 1; i < first.Length; i++)
        {
            first[i] = colour[(i - 1) % colour.Length];
        }

        var rest = new byte[first.Length];
        rest[0] = 2;
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(first);
            for (var y = 1; y < height; y++)
            {
                zlib.Write(rest);
            }
        }

        return compressed.ToArray();
    }

    private static void WriteChunk(Stream output, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        output.Write(length);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        output.Write(typeBytes);
        output.Write(data);
        var crc = new Crc32();
        crc.Append(typeBytes);
        crc.Append(data);
        var checksum = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(checksum, crc.GetCurrentHashAsUInt32());
        output.Write(checksum);
    }
}
