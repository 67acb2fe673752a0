namespace Rvs.Server;

/// <summary>
/// The content type of an encoded image, read from its first bytes: a file's name or a client's claim says
/// nothing reliable about what it holds.
/// </summary>
public static class ImageContentTypes
{
    public const string Fallback = "application/octet-stream";

    public static string Sniff(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return "image/jpeg";
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return "image/png";
        }

        if (bytes.StartsWith("GIF87a"u8) || bytes.StartsWith("GIF89a"u8))
        {
            return "image/gif";
        }

        if (bytes.Length >= 12 && bytes.StartsWith("RIFF"u8) && bytes[8..12].SequenceEqual("WEBP"u8))
        {
            return "image/webp";
        }

        if (bytes.Length >= 12 && (bytes[8..12].SequenceEqual("avif"u8) || bytes[8..12].SequenceEqual("avis"u8)) && Imaging.HeifDecoder.IsHeif(bytes))
        {
            return "image/avif";
        }

        if (Imaging.HeifDecoder.IsHeif(bytes))
        {
            return "image/heic";
        }

        if (bytes.StartsWith("BM"u8))
        {
            return "image/bmp";
        }

        return Fallback;
    }

    /// <summary>The content type of a video, from its first bytes: ISO media (MP4, QuickTime) or Matroska (WebM, MKV).</summary>
    public static string SniffVideo(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length >= 12 && bytes[4..8].SequenceEqual("ftyp"u8))
        {
            return bytes[8..12].SequenceEqual("qt  "u8) ? "video/quicktime" : "video/mp4";
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0x1A, 0x45, 0xDF, 0xA3]))
        {
            // The EBML header names the document type; WebM is the Matroska profile browsers play.
            return bytes.IndexOf("webm"u8) >= 0 ? "video/webm" : "video/x-matroska";
        }

        return Fallback;
    }
}
