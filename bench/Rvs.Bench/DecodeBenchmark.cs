using System.Diagnostics;
using System.Globalization;
using Rvs.Imaging;
using Rvs.Testing;

namespace Rvs.Bench;

/// <summary>
/// What decoding huge one-colour greyscale PNGs (decompression bombs, made here) costs: the process's peak resident memory
/// before and after each decode, and its time. Sides over the pixel budget must be refused before allocating.
/// </summary>
internal static class DecodeBenchmark
{
    public static int Run(string[] args)
    {
        var sides = (BenchArguments.Value(args, "--sides") ?? "4000,8192,9000,20000,32768")
            .Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
        Console.WriteLine($"decode: one-colour greyscale PNGs, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd}");
        Console.WriteLine("| PNG | file MB | result | seconds | peak RSS before MB | peak RSS after MB |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var side in sides)
        {
            var png = OneColourPng.Grey(side, side, 120);
            GC.Collect();
            var before = PeakRssMegabytes();
            var clock = Stopwatch.StartNew();
            string result;
            try
            {
                var photo = ImageDecoder.Decode(png);
                result = $"decoded to {photo.Image.Width}x{photo.Image.Height}";
            }
            catch (ImageDecodeException e)
            {
                result = "refused: " + e.Message;
            }

            Console.WriteLine($"| {side}x{side} | {png.Length / 1e6:0.0} | {result} | {clock.Elapsed.TotalSeconds:0.00} | {before} | {PeakRssMegabytes()} |");
        }

        return 0;
    }

    /// <summary>VmHWM of /proc/self/status: the most resident memory the process has had.</summary>
    private static long PeakRssMegabytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }
}
