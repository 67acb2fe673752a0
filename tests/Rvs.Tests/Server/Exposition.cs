using System.Globalization;
using System.Text.RegularExpressions;

namespace Rvs.Tests.Server;

/// <summary>One sample of a scrape: its name, labels and value.</summary>
internal sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>The samples of a Prometheus text exposition (what /metrics answers), read for assertions.</summary>
internal sealed partial class Exposition(IReadOnlyList<Sample> samples)
{
    public IReadOnlyList<Sample> Samples => samples;

    public static Exposition Parse(string text) => new([.. text.Split('\n')
        .Where(line => line.Length > 0 && !line.StartsWith('#'))
        .Select(line =>
        {
            var match = SampleLine().Match(line);
            Assert.True(match.Success, $"not a sample line: {line}");
            var labels = LabelPair().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
            return new Sample(match.Groups["name"].Value, labels, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture));
        })]);

    /// <summary>The sum of the samples named <paramref name="name"/> whose labels include <paramref name="labels"/>; there must be one.</summary>
    public double Value(string name, Dictionary<string, string>? labels = null)
    {
        var matching = samples.Where(s => s.Name == name && (labels ?? []).All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).ToList();
        Assert.True(matching.Count > 0, $"no sample {name} with {string.Join(", ", (labels ?? []).Select(l => $"{l.Key}={l.Value}"))}");
        return matching.Sum(s => s.Value);
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)( \d+)?$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
