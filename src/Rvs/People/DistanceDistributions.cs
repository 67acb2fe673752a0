using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rvs.People;

/// <summary>
/// Measured distances (L2 between unit embeddings of one model) of same-person and different-person pairs, as
/// histograms with fixed-width bins over [0, 2]. Clustering takes its link distance from the different-person tail
/// (<see cref="ClusteringThresholds"/>); the file lives beside the models (models/face-distances.json) because it is
/// only meaningful for the model it was measured with.
/// </summary>
public sealed record DistanceDistributions(
    [property: JsonPropertyName("model_id")] string ModelId,
    [property: JsonPropertyName("measured_on")] string MeasuredOn,
    [property: JsonPropertyName("command")] string Command,
    [property: JsonPropertyName("bin_width")] double BinWidth,
    [property: JsonPropertyName("same_person")] long[] SamePerson,
    [property: JsonPropertyName("different_person")] long[] DifferentPerson)
{
    public const string FileName = "face-distances.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "models", FileName);

    public long SamePairs => SamePerson.Sum();

    public long DifferentPairs => DifferentPerson.Sum();

    /// <summary>Bins covering [0, 2] at this width.</summary>
    public static int BinCount(double binWidth) => (int)Math.Ceiling(2 / binWidth);

    public static int BinOf(double distance, double binWidth, int bins) => Math.Clamp((int)(distance / binWidth), 0, bins - 1);

    /// <summary>
    /// The largest bin edge d with at most <paramref name="rate"/> of different-person pairs nearer than d: a link
    /// distance that lets a stranger through about once in 1/rate comparisons.
    /// </summary>
    public double DifferentPersonQuantile(double rate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        var allowed = rate * DifferentPairs;
        long below = 0;
        for (var bin = 0; bin < DifferentPerson.Length; bin++)
        {
            if (below + DifferentPerson[bin] > allowed)
            {
                return bin * BinWidth;
            }

            below += DifferentPerson[bin];
        }

        return DifferentPerson.Length * BinWidth;
    }

    /// <summary>Share of same-person pairs nearer than <paramref name="distance"/> (at bin resolution).</summary>
    public double SamePersonBelow(double distance)
    {
        var bins = (int)Math.Round(distance / BinWidth);
        return SamePairs == 0 ? 0 : (double)SamePerson.Take(bins).Sum() / SamePairs;
    }

    public static DistanceDistributions? Load(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<DistanceDistributions>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not a distance-distribution file: {e.Message}", e);
        }
    }

    /// <summary>The distributions measured for exactly this model, or null when there are none.</summary>
    public static DistanceDistributions? Find(string path, string modelId) => Load(path) is { } d && d.ModelId == modelId ? d : null;

    public void Save(string path)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, Json) + "\n");
        File.Move(temporary, path, overwrite: true);
    }
}
