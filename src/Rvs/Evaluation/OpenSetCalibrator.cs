using System.Globalization;
using System.Numerics.Tensors;
using Rvs.Index;
using Rvs.Verdicts;

namespace Rvs.Evaluation;

/// <summary>
/// Measures an <see cref="OpenSetCalibration"/> from labelled embeddings. Every image is a query; its strangers are
/// the images of every other person. For a gallery of g of its M strangers drawn at random, the chance that none is
/// closer than t is S(g) = C(M − c, g) / C(M, g) when c of them are: the exact (unbiased) estimate of the chance for a
/// random gallery of g strangers of this kind, so no gallery is actually drawn and no sampling noise is added.
/// Averaged over queries (each person weighing the same), one minus that chance is the FPIR at t for galleries of g
/// faces; the calibration stores, for sizes from 1 to half the smallest M, the distance at which that average reaches
/// each of a fixed ladder of rates.
/// <para>
/// Larger galleries than the calibration's strangers are continued query by query, not curve by curve: for g drawn
/// independently from a query's population of strangers the chance of no close one is (1 − p)^g = ((1 − p)^g₀)^(g/g₀),
/// so S(g₀)^(g/g₀) continues each query's own estimate from the base size g₀, half the fewest strangers of a query,
/// where S is still an average over many subsets rather than the all-or-nothing question of whether any of the M is
/// close (which is what S becomes as g nears M: on LFW's calibration half the exact threshold drops from 0.845 to
/// 0.829 between 5,623 and 6,392 faces, where the steps before it, each to a 1.33 times larger gallery, move it by
/// 0.005 to 0.011). The exact sizes therefore stop at g₀, and the continued ones go up to twice the fewest strangers
/// (<see cref="ContinuedSizes"/>); the file says where the exact sizes end (<see cref="OpenSetCalibration.ExactUpTo"/>).
/// </para>
/// </summary>
public static class OpenSetCalibrator
{
    /// <summary>Gallery sizes per decade: neighbouring sizes differ by 10^(1/8) ≈ 1.33, so a size between two is
    /// interpolated over a third of a size at most, where the measured threshold moves by about 0.01 in distance.</summary>
    private const int SizesPerDecade = 8;

    /// <summary>Rates per decade of the stored ladder, 10^(k/10) for k from <see cref="LowestStep"/> to <see cref="HighestStep"/>.</summary>
    private const int RatesPerDecade = 10;

    /// <summary>1e-8: below anything LFW can resolve (one pair in about 22 million is 5e-8), so the tail is stored to its end.</summary>
    private const int LowestStep = -80;

    /// <summary>10^-0.3 ≈ 50%, the loosest target worth asking for: strangers called someone in every other search.</summary>
    private const int HighestStep = -3;

    /// <summary>The calibration of EVALUATION.md's open-set protocol: measured on the calibration half of the people only.</summary>
    public static OpenSetCalibration MeasureOnCalibrationHalf(OpenSetGallery gallery, string modelId)
    {
        ArgumentNullException.ThrowIfNull(gallery);
        var rows = gallery.CalibrationRows;
        var people = rows.Select(r => gallery.Labels[r]).Distinct(StringComparer.Ordinal).Count();
        var measuredOn = string.Create(CultureInfo.InvariantCulture,
            $"LFW, calibration half: {people:N0} people, {rows.Count:N0} images (people whose name's SHA-256 starts with an even byte), {DateTime.UtcNow:yyyy-MM-dd}");
        return Measure(gallery.Set, rows, gallery.Labels, modelId, measuredOn);
    }

    /// <param name="set">Unit-length embeddings.</param>
    /// <param name="rows">The rows to calibrate on (e.g. one half of the people).</param>
    /// <param name="labels">The person of every row of <paramref name="set"/>.</param>
    /// <param name="modelId">The models the embeddings came from.</param>
    /// <param name="measuredOn">Where and when, for people reading the file.</param>
    public static OpenSetCalibration Measure(EmbeddingSet set, IReadOnlyList<int> rows, IReadOnlyList<string> labels, string modelId, string measuredOn)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(labels);
        var person = rows.Select(r => labels[r]).ToArray();
        var sizeOf = person.GroupBy(p => p, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        if (sizeOf.Count < 2)
        {
            throw new ArgumentException("an open-set calibration needs at least two people", nameof(rows));
        }

        var strangers = person.Select(p => rows.Count - sizeOf[p]).ToArray();
        var exact = GallerySizes(Math.Max(1, strangers.Min() / 2));
        var baseSize = exact.Length - 1;
        var sizes = exact.Concat(ContinuedSizes(exact[^1], strangers.Min())).ToArray();
        var rates = RateLadder();

        // Each person weighs the same, split over their images: FPIR is a rate over strangers, and a person with
        // hundreds of photos (LFW's George W Bush has 530) must not stand for hundreds of strangers. Weighted by
        // image, one mislabelled photo that shows him would be a near-zero stranger to each of his queries.
        var people = sizeOf.Count;
        var weight = person.Select(p => 1.0 / (people * (double)sizeOf[p])).ToArray();
        var personIndex = sizeOf.Keys.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => x.i, StringComparer.Ordinal);
        var personOf = person.Select(p => personIndex[p]).ToArray();
        var personCounted = new bool[people];
        var (distances, queries) = SortedStrangerDistances(set, rows, person, RateCutoff(set, rows, person, strangers, weight, rates[^1]));
        var q = rows.Count;
        var survival = new double[q * sizes.Length];
        Array.Fill(survival, 1.0);
        var closer = new int[q];
        var rate = new double[sizes.Length];
        var next = new int[sizes.Length];
        var points = sizes.Select(_ => new List<(double Fpir, double Distance, int People)>()).ToArray();
        var peopleWithOne = 0;
        for (var e = 0; e < distances.Length;)
        {
            // Every stranger at this distance first (pairs come twice, once from each side), then the rungs it reaches:
            // a threshold at or below this distance leaves them all out, so its FPIR stays below those rates.
            var distance = distances[e];
            for (; e < distances.Length && distances[e] == distance; e++)
            {
                var query = queries[e];
                var c = closer[query]++;
                if (!personCounted[personOf[query]])
                {
                    personCounted[personOf[query]] = true;
                    peopleWithOne++;
                }

                var m = strangers[query];
                var row = query * sizes.Length;
                for (var s = 0; s < exact.Length; s++)
                {
                    // C(M − c − 1, g) / C(M − c, g) = (M − c − g) / (M − c): the chance the g drawn strangers also miss this one.
                    ref var alive = ref survival[row + s];
                    var after = m - c - sizes[s] <= 0 ? 0 : alive * (m - c - sizes[s]) / (m - c);
                    rate[s] += (alive - after) * weight[query];
                    alive = after;
                }

                var baseAlive = survival[row + baseSize];
                for (var s = exact.Length; s < sizes.Length; s++)
                {
                    ref var alive = ref survival[row + s];
                    if (alive > 0)
                    {
                        var after = baseAlive < 1e-12 ? 0 : Math.Pow(baseAlive, (double)sizes[s] / sizes[baseSize]);
                        rate[s] += (alive - after) * weight[query];
                        alive = after;
                    }
                }
            }

            for (var s = 0; s < sizes.Length; s++)
            {
                while (next[s] < rates.Length && rate[s] >= rates[next[s]])
                {
                    points[s].Add((rates[next[s]], distance, peopleWithOne));
                    next[s]++;
                }
            }
        }

        var curves = sizes.Select((g, s) => new NearestStrangerCurve(
            g,
            [.. points[s].Select(p => p.Fpir)],
            [.. points[s].Select(p => Math.Round(p.Distance, 6))],
            [.. points[s].Select(p => p.People)])).ToArray();
        return new OpenSetCalibration(modelId, measuredOn, people, q, strangers.Sum(m => (long)m) / 2, curves) { ExactUpTo = exact[^1] };
    }

    /// <summary>
    /// The ladder of 10^(k/8) past the exact sizes, up to twice the fewest strangers of a query, and that size itself.
    /// Twice, because the continuation resolves a query's chance of a close stranger only down to about one in its M
    /// strangers: a gallery of g draws needs chances of about 1/g resolved, and far past M the continued curve
    /// levels off at the distance under which the target share of queries has any close stranger at all, which is a
    /// floor of the data, not of the rate.
    /// </summary>
    internal static int[] ContinuedSizes(int largestExact, int fewestStrangers) =>
        [.. GallerySizes(2 * fewestStrangers).Where(g => g > largestExact)];

    /// <summary>1, then 10^(k/8) rounded, up to the largest size every query has enough strangers for.</summary>
    internal static int[] GallerySizes(int largest)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(largest, 1);
        var sizes = new SortedSet<int>();
        for (var k = 0; Math.Pow(10, (double)k / SizesPerDecade) <= largest; k++)
        {
            sizes.Add((int)Math.Round(Math.Pow(10, (double)k / SizesPerDecade)));
        }

        sizes.Add(largest);
        return [.. sizes.Where(s => s <= largest)];
    }

    private static double[] RateLadder() =>
        [.. Enumerable.Range(LowestStep, HighestStep - LowestStep + 1).Select(k => Math.Pow(10, (double)k / RatesPerDecade))];

    /// <summary>
    /// A distance beyond which the one-face rate exceeds <paramref name="highestRate"/>: no ladder entry lies
    /// beyond it, so strangers farther away never need sorting. Found on a histogram of every pair, weighted as the rate is.
    /// </summary>
    private static double RateCutoff(EmbeddingSet set, IReadOnlyList<int> rows, string[] person, int[] strangers, double[] weight, double highestRate)
    {
        const int Bins = 1 << 16; // distances lie in [0, 2]; 3e-5 per bin
        var histogram = new double[Bins];
        var gate = new object();
        Parallel.For(0, rows.Count, () => new double[Bins], (i, _, local) =>
        {
            var dots = StrangerDots(set, rows, person, i);
            foreach (var dot in dots)
            {
                local[Math.Min(Bins - 1, (int)(TopK.DistanceFromDot(dot) / 2 * Bins))] += weight[i] / strangers[i];
            }

            return local;
        }, local =>
        {
            lock (gate)
            {
                TensorPrimitives.Add(histogram, local, histogram);
            }
        });

        var sum = 0.0;
        for (var b = 0; b < Bins; b++)
        {
            sum += histogram[b];
            if (sum > highestRate)
            {
                // One bin more, so that rounding of the bin edges can never leave the last rung unreached.
                return 2.0 * (b + 2) / Bins;
            }
        }

        return 2.0;
    }

    /// <summary>Every (distance, query) of a query and one of its strangers closer than the cutoff, nearest first.</summary>
    private static (float[] Distances, int[] Queries) SortedStrangerDistances(EmbeddingSet set, IReadOnlyList<int> rows, string[] person, double cutoff)
    {
        var perQuery = new float[rows.Count][];
        Parallel.For(0, rows.Count, i =>
        {
            perQuery[i] = [.. StrangerDots(set, rows, person, i).Select(TopK.DistanceFromDot).Where(d => d < cutoff)];
        });

        var total = perQuery.Sum(d => (long)d.Length);
        if (total > Array.MaxLength)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{total} stranger pairs are too many to calibrate on at once"));
        }

        var distances = new float[total];
        var queries = new int[total];
        var at = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            perQuery[i].CopyTo(distances, at);
            queries.AsSpan(at, perQuery[i].Length).Fill(i);
            at += perQuery[i].Length;
            perQuery[i] = [];
        }

        // Equal distances may come in any order: the sweep takes them as one group.
        Array.Sort(distances, queries);
        return (distances, queries);
    }

    private static float[] StrangerDots(EmbeddingSet set, IReadOnlyList<int> rows, string[] person, int i)
    {
        var query = set.Row(rows[i]);
        var dots = new List<float>(rows.Count);
        for (var j = 0; j < rows.Count; j++)
        {
            if (!string.Equals(person[j], person[i], StringComparison.Ordinal))
            {
                dots.Add(TensorPrimitives.Dot(query, set.Row(rows[j])));
            }
        }

        return [.. dots];
    }
}
