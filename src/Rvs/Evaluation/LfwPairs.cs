using System.Globalization;

namespace Rvs.Evaluation;

/// <summary>One verification pair of pairs.txt, as image keys ("Name/Name_0001.jpg"), with its fold (0-based).</summary>
public sealed record LfwPair(string FirstKey, string SecondKey, bool Same, int Fold);

/// <summary>
/// The LFW verification protocol file: a header "folds pairsPerHalf", then for each fold pairsPerHalf same-person
/// lines ("name i j") followed by pairsPerHalf different-person lines ("name1 i name2 j").
/// </summary>
public sealed class LfwPairs
{
    private LfwPairs(int folds, int pairsPerHalf, IReadOnlyList<LfwPair> pairs)
    {
        Folds = folds;
        PairsPerHalf = pairsPerHalf;
        Pairs = pairs;
    }

    public int Folds { get; }

    /// <summary>Same-person pairs per fold, which is also the number of different-person pairs per fold.</summary>
    public int PairsPerHalf { get; }

    public IReadOnlyList<LfwPair> Pairs { get; }

    /// <summary>The key LFW's layout gives image <paramref name="number"/> of <paramref name="name"/>.</summary>
    public static string ImageKey(string name, int number) =>
        string.Create(CultureInfo.InvariantCulture, $"{name}/{name}_{number:D4}.jpg");

    /// <summary>
    /// The key of a photo from its path in a folder or archive: the last two segments, because the root differs
    /// between copies ("lfw/…", an extracted folder, …) while "Person/Person_NNNN.jpg" does not.
    /// </summary>
    public static string KeyOfPath(string relativePath)
    {
        var path = relativePath.Replace('\\', '/').TrimEnd('/');
        var last = path.LastIndexOf('/');
        if (last <= 0)
        {
            return path;
        }

        var previous = path.LastIndexOf('/', last - 1);
        return path[(previous + 1)..];
    }

    /// <summary>The person of a key: its folder, or the key itself when it has none (a person of one photo).</summary>
    public static string LabelOfKey(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 ? key[..slash] : key;
    }

    public static LfwPairs Load(string path)
    {
        using var reader = new StreamReader(path);
        return Parse(reader);
    }

    public static LfwPairs Parse(TextReader reader)
    {
        var lineNumber = 1;
        var header = Split(reader.ReadLine() ?? throw new FormatException("pairs file is empty"));
        if (header.Length != 2 || !TryParseCount(header[0], out var folds) || !TryParseCount(header[1], out var perHalf))
        {
            throw new FormatException("pairs file line 1: expected the header 'folds pairsPerFold', e.g. '10 300'");
        }

        var pairs = new List<LfwPair>(checked(folds * perHalf * 2));
        for (var fold = 0; fold < folds; fold++)
        {
            for (var i = 0; i < 2 * perHalf; i++)
            {
                lineNumber++;
                var same = i < perHalf;
                var line = reader.ReadLine()
                    ?? throw new FormatException($"pairs file ends at line {lineNumber - 1}; the header promises {folds * perHalf * 2} pairs");
                var fields = Split(line);
                pairs.Add(same ? ParseSame(fields, fold, lineNumber) : ParseDifferent(fields, fold, lineNumber));
            }
        }

        while (reader.ReadLine() is { } extra)
        {
            lineNumber++;
            if (!string.IsNullOrWhiteSpace(extra))
            {
                throw new FormatException($"pairs file line {lineNumber}: more pairs than the header promises");
            }
        }

        return new LfwPairs(folds, perHalf, pairs);
    }

    private static LfwPair ParseSame(string[] f, int fold, int lineNumber)
    {
        if (f.Length != 3 || !TryParseCount(f[1], out var i) || !TryParseCount(f[2], out var j))
        {
            throw new FormatException($"pairs file line {lineNumber}: expected a same-person pair 'name i j'");
        }

        return new LfwPair(ImageKey(f[0], i), ImageKey(f[0], j), true, fold);
    }

    private static LfwPair ParseDifferent(string[] f, int fold, int lineNumber)
    {
        if (f.Length != 4 || !TryParseCount(f[1], out var i) || !TryParseCount(f[3], out var j))
        {
            throw new FormatException($"pairs file line {lineNumber}: expected a different-person pair 'name1 i name2 j'");
        }

        return new LfwPair(ImageKey(f[0], i), ImageKey(f[2], j), false, fold);
    }

    // The official file separates fields by tabs; copies re-saved by editors use spaces.
    private static string[] Split(string line) =>
        line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static bool TryParseCount(string text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0;
}
