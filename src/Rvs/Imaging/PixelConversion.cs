using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Rvs.Imaging;

/// <summary>
/// RGBA to packed RGB, shared by the whole-photo decode (<see cref="ImageDecoder"/>) and the region decode
/// (<see cref="RegionDecoder"/>). Photos are nearly always opaque, so runs of opaque pixels are repacked with byte
/// shuffles, 8 pixels per AVX2 step, and only a step holding a transparent pixel takes the scalar compositing path;
/// the bytes are the same as <see cref="ConvertScalar"/> would write. CPUs without AVX2 use the scalar loop alone.
/// </summary>
internal static class PixelConversion
{
    /// <summary>
    /// Writes <paramref name="rgb"/>.Length / 3 pixels of <paramref name="rgba"/> (unpremultiplied) as RGB, with
    /// transparent areas composited over white, as a browser would show them.
    /// </summary>
    public static void RgbaToRgb(ReadOnlySpan<byte> rgba, Span<byte> rgb) => RgbaToRgb(rgba, rgb, Avx2.IsSupported);

    /// <param name="vectorised">False for the scalar loop alone, so tests can compare both paths on a CPU with AVX2.</param>
    internal static void RgbaToRgb(ReadOnlySpan<byte> rgba, Span<byte> rgb, bool vectorised)
    {
        var pixels = rgb.Length / 3;
        if (rgba.Length < pixels * 4)
        {
            throw new ArgumentException($"{pixels} pixels need {pixels * 4} RGBA bytes, got {rgba.Length}.", nameof(rgba));
        }

        // Bytes of rgb past its last whole pixel are never written, not even transiently by a vector store.
        rgb = rgb[..(pixels * 3)];
        var done = vectorised ? ConvertAvx2(rgba, rgb) : 0;
        ConvertScalar(rgba[(done * 4)..], rgb[(done * 3)..]);
    }

    /// <summary>The plain per-pixel conversion: the reference the vector paths match, and their tail.</summary>
    private static void ConvertScalar(ReadOnlySpan<byte> rgba, Span<byte> rgb)
    {
        for (int i = 0, j = 0; j + 2 < rgb.Length; i += 4, j += 3)
        {
            var alpha = rgba[i + 3];
            if (alpha == 255)
            {
                rgb[j] = rgba[i];
                rgb[j + 1] = rgba[i + 1];
                rgb[j + 2] = rgba[i + 2];
            }
            else
            {
                rgb[j] = (byte)((rgba[i] * alpha + 255 * (255 - alpha)) / 255);
                rgb[j + 1] = (byte)((rgba[i + 1] * alpha + 255 * (255 - alpha)) / 255);
                rgb[j + 2] = (byte)((rgba[i + 2] * alpha + 255 * (255 - alpha)) / 255);
            }
        }
    }

    /// <summary>
    /// Converts 8 pixels a step: vpshufb packs each 128-bit lane's 4 pixels into its low 12 bytes and vpermd joins
    /// the two lanes' 24 bytes. Each 32-byte store writes 8 bytes past its pixels (overwritten by the next step), so
    /// steps stop while 8 bytes of <paramref name="rgb"/> are still free; the rest is left to the scalar loop.
    /// </summary>
    /// <returns>How many pixels were converted.</returns>
    private static int ConvertAvx2(ReadOnlySpan<byte> rgba, Span<byte> rgb)
    {
        ref var source = ref MemoryMarshal.GetReference(rgba);
        ref var target = ref MemoryMarshal.GetReference(rgb);
        var packLanes = Vector256.Create(
            (byte)0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 0x80, 0x80, 0x80, 0x80,
            0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 0x80, 0x80, 0x80, 0x80);
        var joinLanes = Vector256.Create(0, 1, 2, 4, 5, 6, 3, 7);
        var alphaBits = Vector256.Create(0xFF000000u).AsByte();
        var p = 0;
        for (; (p + 8) * 3 + 8 <= rgb.Length; p += 8)
        {
            var block = Vector256.LoadUnsafe(ref source, (nuint)(p * 4));
            if (!Vector256.EqualsAll(block & alphaBits, alphaBits))
            {
                ConvertScalar(rgba.Slice(p * 4, 32), rgb.Slice(p * 3, 24));
                continue;
            }

            var packed = Avx2.PermuteVar8x32(Avx2.Shuffle(block, packLanes).AsInt32(), joinLanes).AsByte();
            packed.StoreUnsafe(ref target, (nuint)(p * 3));
        }

        return p;
    }
}
