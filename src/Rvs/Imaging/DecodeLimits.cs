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
    /// while a 20000x20000 (400 MP) or 32768x32768 PNG is refused. Decoding is streamed at reduced scale (see
    /// <see cref="StreamedDecodePixels"/>), so this bounds decode time; memory is bounded by the reduced size.
    /// </summary>
    public const long MaxSourcePixels = 1L << 28;

    /// <summary>
    /// A decode whose output (after the codec's own scaling) would exceed this many pixels (2^24, 16.7 MP, 64 MB
    /// of RGBA) is streamed row by row and reduced on the fly instead of being allocated whole.
    /// </summary>
    public const long StreamedDecodePixels = 1L << 24;

    /// <summary>Images declaring more pixels than this (16.7 MP) count as large for <see cref="LargeDecodeGate"/>.</summary>
    public const long LargeImagePixels = 1L << 24;
}
