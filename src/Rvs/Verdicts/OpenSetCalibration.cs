using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rvs.Verdicts;

/// <summary>
/// For one gallery size, how close the nearest stranger comes: entry i says that when a query is searched against
/// <see cref="GalleryFaces"/> faces of other people, its nearest one is closer than <see cref="Distance"/>[i] for at
/// most the share <see cref="Fpir"/>[i] of queries (each person weighing the same). <see cref="People"/>[i] counts
/// the distinct people with a query that has at least one stranger that close: the evidence behind the entry. With a
/// gallery of one face this is the impostor (different-person) distance distribution itself, pair by pair.
/// </summary>
public sealed record NearestStrangerCurve(
    [property: JsonPropertyName("gallery_faces")] int GalleryFaces,
    [property: JsonPropertyName("fpir")] IReadOnlyList<double> Fpir,
    [property: JsonPropertyName("distance")] IReadOnlyList<double> Distance,
    [property: JsonPropertyName("people")] IReadOnlyList<int> People);

/// <summary>The open-set threshold for one collection size and target, and whether it lies beyond what was measured.</summary>
public sealed record OpenSetThreshold(double Distance, long GalleryFaces, double TargetFpir, bool Extrapolated);

/// <summary>
/// How often the nearest face of a collection of strangers comes within a distance, measured for one pipeline's exact
/// models (its model id) on the calibration half of LFW's people, kept in models/open-set.json and made by
/// <c>rvs eval --save-open-set</c>. Use: <see cref="ThresholdFor"/> with the collection's face count (known at query
/// time, so the threshold follows the collection as it grows) gives the distance under which a top hit may be called
/// a match while strangers are called someone in about <c>targetFpir</c> of searches; <see cref="VerdictPolicy"/>
/// turns it into verdicts.
/// <para>
/// Why curves per gallery size and not one impostor distribution: with one distribution F and N independent
/// strangers the false-positive identification rate would be 1 − (1 − F(t))^N, but queries differ (some faces have
/// many look-alikes, most have none), so the true rate E_q[1 − (1 − p_q(t))^N] is lower and that quantile is too
/// cautious (issue 10: FPIR 0.37% for a 1% target). The calibration therefore measures the rate itself at gallery
/// sizes from 1 to a few thousand, from every query's own strangers, with no model of how queries differ, and
/// continues each query's estimate to larger sizes (to ten million) as independent draws from its strangers. The
/// threshold for N faces is read off the curves at the target, interpolated linearly in log N between sizes and,
/// past the largest curve, continued along a line in log N fitted to its last decade (see <see cref="Threshold"/>,
/// which says when the answer lies past the exactly measured sizes).
/// </para>
/// </summary>
public sealed record OpenSetCalibration(
    [property: JsonPropertyName("model_id")] string ModelId,
    [property: JsonPropertyName("measured_on")] string MeasuredOn,
    [property: JsonPropertyName("people")] int People,
    [property: JsonPropertyName("images")] int Images,
    [property: JsonPropertyName("impostor_pairs")] long ImpostorPairs,
    [property: JsonPropertyName("curves")] IReadOnlyList<NearestStrangerCurve> Curves)
{
    public const string FileName = "open-set.json";

    /// <summary>
    /// The largest gallery size measured exactly (every query has this many strangers); the curves for larger sizes
    /// continue each query's own estimate (see <c>OpenSetCalibrator</c>), so thresholds read off them are
    /// <see cref="OpenSetThreshold.Extrapolated"/>. Zero in files that hold only exact curves.
    /// </summary>
    [JsonPropertyName("exact_up_to")]
    public int ExactUpTo { get; init; }

    /// <summary>The default target: strangers called someone in 1% of searches.</summary>
    public const double DefaultTargetFpir = 0.01;

    /// <summary>
    /// An entry is used only when at least this many distinct people's queries stand behind it: a rate read off k independent
    /// events has a relative standard error of about 1/√k, 32% here, so a factor-of-two error is two standard errors
    /// away. Entries with less evidence are kept in the file (they show the tail) but not decided by.
    /// </summary>
    public const int MinimumPeople = 10;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "models", FileName);

    /// <summary>The distance under which a top hit counts as a match in a collection of this many faces.</summary>
    public double ThresholdFor(long galleryFaces, double targetFpir = DefaultTargetFpir) => Threshold(galleryFaces, targetFpir).Distance;

    /// <summary>Like <see cref="ThresholdFor"/>, and says whether the answer had to be extrapolated past the measurements.</summary>
    public OpenSetThreshold Threshold(long galleryFaces, double targetFpir = DefaultTargetFpir)
    {
        if (!(targetFpir > 0 && targetFpir < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(targetFpir), targetFpir, "the target false-positive identification rate must lie between 0 and 1");
        }

        // An empty collection has no hits to judge; the one-face threshold keeps the function total.
        var n = Math.Max(1, galleryFaces);
        var measured = Curves.OrderBy(c => c.GalleryFaces)
            .Select(c => (LogSize: Math.Log10(c.GalleryFaces), Distance: Interpolate(c, targetFpir)))
            .Where(p => p.Distance is not null)
            .Select(p => (p.LogSize, Distance: p.Distance!.Value))
            .ToList();
        var logN = Math.Log10(n);
        if (measured.Count == 0)
        {
            return AsIndependentStrangers(n, targetFpir);
        }

        if (logN <= measured[0].LogSize)
        {
            return new OpenSetThreshold(measured[0].Distance, n, targetFpir, false);
        }

        for (var i = 1; i < measured.Count; i++)
        {
            if (logN <= measured[i].LogSize)
            {
                var (a, b) = (measured[i - 1], measured[i]);
                var f = (logN - a.LogSize) / (b.LogSize - a.LogSize);
                return new OpenSetThreshold(a.Distance + f * (b.Distance - a.Distance), n, targetFpir, n > ExactSizes);
            }
        }

        // Past the largest measured gallery: the threshold continues linearly in log N, the way the nearest of N
        // draws from an exponential-like tail moves, with the line fitted (least squares) to the last measured decade
        // of sizes, so that one noisy size does not set the slope. It never loosens as the collection grows.
        var last = measured[^1].LogSize;
        var fit = measured.Where(p => p.LogSize >= last - 1).ToList();
        if (fit.Count < 2)
        {
            return AsIndependentStrangers(n, targetFpir);
        }

        var meanX = fit.Average(p => p.LogSize);
        var meanY = fit.Average(p => p.Distance);
        var sxx = fit.Sum(p => (p.LogSize - meanX) * (p.LogSize - meanX));
        var slope = Math.Min(0, fit.Sum(p => (p.LogSize - meanX) * (p.Distance - meanY)) / sxx);
        return new OpenSetThreshold(Math.Max(0, meanY + slope * (logN - meanX)), n, targetFpir, true);
    }

    private long ExactSizes => ExactUpTo > 0 ? ExactUpTo : Curves.Max(c => c.GalleryFaces);

    /// <summary>
    /// Where too few gallery sizes are well measured at this target: the one-face distribution read as if the N faces
    /// were independent strangers, 1 − (1 − FPIR)^(1/N) per comparison. The cautious end: since queries differ, the
    /// true rate E_q[1 − (1 − p_q)^N] is lower than 1 − (1 − E_q p_q)^N (Jensen), so the threshold is stricter than needed.
    /// </summary>
    public OpenSetThreshold AsIndependentStrangers(long n, double targetFpir)
    {
        var single = Curves.First(c => c.GalleryFaces == 1);
        var level = -double.ExpM1(double.LogP1(-targetFpir) / n);
        return Interpolate(single, level) is { } distance ? new OpenSetThreshold(distance, n, targetFpir, n > 1)
            : Extrapolate(single, level) is { } guess ? new OpenSetThreshold(guess, n, targetFpir, true)
            : throw new InvalidDataException($"the open-set calibration of {ModelId} has no usable entry for {n} faces at FPIR {targetFpir}");
    }

    /// <summary>Every calibration in the file by pipeline name; an empty set when the file does not exist.</summary>
    public static IReadOnlyDictionary<string, OpenSetCalibration> Load(string path)
    {
        if (!File.Exists(path))
        {
            return new Dictionary<string, OpenSetCalibration>();
        }

        Dictionary<string, OpenSetCalibration>? all;
        try
        {
            all = JsonSerializer.Deserialize<Dictionary<string, OpenSetCalibration>>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a valid open-set calibration: {e.Message}", e);
        }

        foreach (var (name, calibration) in all ?? [])
        {
            calibration.Validate($"{path} ({name})");
        }

        return all ?? new Dictionary<string, OpenSetCalibration>();
    }

    /// <summary>The calibration measured for exactly these models, or null if there is none.</summary>
    public static OpenSetCalibration? Find(string path, string modelId) =>
        Load(path).Values.FirstOrDefault(c => c.ModelId == modelId);

    /// <summary>Adds or replaces the pipeline's entry, keeping the others, and writes atomically.</summary>
    public static void Save(string path, string pipelineName, OpenSetCalibration calibration)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        calibration.Validate(pipelineName);
        var all = new SortedDictionary<string, OpenSetCalibration>(Load(path).ToDictionary(), StringComparer.Ordinal)
        {
            [pipelineName] = calibration,
        };
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(all, Json) + "\n");
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The one place the file's promises are checked, so that the threshold code can rely on them.</summary>
    public void Validate(string where)
    {
        if (Curves is null || !Curves.Any(c => c.GalleryFaces == 1))
        {
            throw new InvalidDataException($"{where}: the open-set calibration needs a curve for a gallery of one face");
        }

        foreach (var c in Curves)
        {
            var n = c.Fpir?.Count ?? -1;
            if (c.GalleryFaces < 1 || n < 0 || c.Distance?.Count != n || c.People?.Count != n)
            {
                throw new InvalidDataException($"{where}: the curve for {c.GalleryFaces} faces is malformed");
            }

            for (var i = 0; i < n; i++)
            {
                if (!(c.Fpir![i] > 0 && c.Fpir[i] < 1) || (i > 0 && (c.Fpir[i] <= c.Fpir[i - 1] || c.Distance![i] < c.Distance[i - 1])))
                {
                    throw new InvalidDataException($"{where}: the curve for {c.GalleryFaces} faces is not increasing at entry {i}");
                }
            }
        }

        if (Reliable(Curves.First(c => c.GalleryFaces == 1)).Count < 2)
        {
            throw new InvalidDataException($"{where}: the one-face curve has fewer than two entries with {MinimumPeople} or more people behind them");
        }
    }

    /// <summary>The distance at which the curve reaches <paramref name="level"/>, linear in log rate between entries; null outside them.</summary>
    private static double? Interpolate(NearestStrangerCurve curve, double level)
    {
        var points = Reliable(curve);
        if (points.Count == 0 || level < points[0].Fpir || level > points[^1].Fpir)
        {
            return null;
        }

        for (var i = 1; i < points.Count; i++)
        {
            if (level <= points[i].Fpir)
            {
                var (a, b) = (points[i - 1], points[i]);
                var f = (Math.Log(level) - Math.Log(a.Fpir)) / (Math.Log(b.Fpir) - Math.Log(a.Fpir));
                return a.Distance + f * (b.Distance - a.Distance);
            }
        }

        return points[0].Distance;
    }

    /// <summary>
    /// Below the last well-measured entry, the tail is continued as an exponential in distance (log rate linear in
    /// distance), fitted by least squares to the entries within a factor ten of the lowest one; null where the curve
    /// has too little or the fit does not fall.
    /// </summary>
    private static double? Extrapolate(NearestStrangerCurve curve, double level)
    {
        var points = Reliable(curve);
        if (points.Count < 2 || level > points[0].Fpir)
        {
            return null;
        }

        var tail = points.TakeWhile(p => p.Fpir <= points[0].Fpir * 10).ToList();
        if (tail.Count < 2)
        {
            tail = [.. points.Take(2)];
        }

        var meanX = tail.Average(p => p.Distance);
        var meanY = tail.Average(p => Math.Log(p.Fpir));
        var sxy = tail.Sum(p => (p.Distance - meanX) * (Math.Log(p.Fpir) - meanY));
        var sxx = tail.Sum(p => (p.Distance - meanX) * (p.Distance - meanX));
        if (!(sxx > 0 && sxy > 0))
        {
            return null;
        }

        var slope = sxy / sxx;
        return Math.Max(0, meanX + (Math.Log(level) - meanY) / slope);
    }

    private static List<(double Fpir, double Distance)> Reliable(NearestStrangerCurve curve) =>
        [.. Enumerable.Range(0, curve.Fpir.Count).Where(i => curve.People[i] >= MinimumPeople).Select(i => (curve.Fpir[i], curve.Distance[i]))];
}
