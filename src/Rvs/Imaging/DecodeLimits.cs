namespace Rvs.Imaging;

/// <summary>
/// What a single decode may cost. Every limit is checked on the dimensions a file declares in its header, before
/// any pixel memory is allocated, so a small file claiming a huge image (a decompression bomb) costs nothing.
/// </summary>
public static class DecodeLimits
{
    /// <summary>
    /// Images declaring more pixels than this are refused: 2^28 (268 megapixels, e.g. 16384x16384). The largest
    /// phone sensors make 200-megapixel photos (16320x12240) and medium-format cameras 150, so real photos pass,
    /// while a 20000x20000 (400 MP) or 32768x32768 PNG is refused. JPEG and WebP below it are decoded at reduced
    /// scale inside the codec (at most 1/8 per side), so their memory follows the reduced size, not this.
    /// </summary>
    public const long MaxSourcePixels = 1L << 28;

    /// <summary>
    /// Formats that cannot be reduced while decoding (PNG, GIF, BMP, HEIC, AVIF) must be held whole first, so their
    /// decoded size is capped at 2^26 pixels (67 MP, 268 MB of RGBA): above any phone's HEIC (48 MP) and screenshots,
    /// and with <see cref="LargeDecodeGate"/>'s two slots at most about 0.6 GB in flight.
    /// </summary>
    public const long MaxWholeDecodePixels = 1L << 26;

    /// <summary>Images declaring more pixels than this (16.7 MP) count as large for <see cref="LargeDecodeGate"/>.</summary>
    public const long LargeImagePixels = 1L << 24;
}
