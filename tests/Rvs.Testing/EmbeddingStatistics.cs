using MathNet.Numerics.LinearAlgebra;
using System.Numerics.Tensors;

namespace Rvs.Testing;

/// <summary>
/// The figures that tell a synthetic face set from a real one: how many dimensions the vectors really use, and how
/// similar photos of the same and of different people are.
/// </summary>
public static class EmbeddingStatistics
{
    /// <summary>
    /// Participation ratio of the covariance of the first <paramref name="count"/> rows: (Σλ)² / Σλ² over its
    /// eigenvalues, i.e. (tr C)² / ‖C‖²_F; it equals the dimension count for an isotropic spread and 1 for a line.
    /// </summary>
    public static double ParticipationRatio(float[] vectors, int dimensions, int count)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        var rows = Matrix<double>.Build.Dense(count, dimensions, (r, d) => vectors[(long)r * dimensions + d]);
        var mean = rows.ColumnSums() / count;
        var centred = rows - Matrix<double>.Build.Dense(count, dimensions, (_, d) => mean[d]);
        var covariance = centred.TransposeThisAndMultiply(centred) / (count - 1);
        var frobenius = covariance.FrobeniusNorm();
        return covariance.Trace() * covariance.Trace() / (frobenius * frobenius);
    }

    /// <summary>
    /// Mean and standard deviation of the cosine of <paramref name="pairs"/> random pairs of rows among the first
    /// <paramref name="count"/>, of different people (<paramref name="samePerson"/> false) or of the same person.
    /// </summary>
    public static (double Mean, double Sd) PairCosine(float[] vectors, int dimensions, int count, Func<int, string> personOf, bool samePerson, int pairs = 20_000, int seed = 5)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(personOf);
        var random = new Random(seed);
        var byPerson = Enumerable.Range(0, count).GroupBy(personOf).Select(g => g.ToArray()).Where(g => !samePerson || g.Length >= 2).ToArray();
        var cosines = new double[pairs];
        for (var i = 0; i < pairs; i++)
        {
            int a, b;
            if (samePerson)
            {
                var rows = byPerson[random.Next(byPerson.Length)];
                a = rows[random.Next(rows.Length)];
                do
                {
                    b = rows[random.Next(rows.Length)];
                }
                while (b == a);
            }
            else
            {
                do
                {
                    a = random.Next(count);
                    b = random.Next(count);
                }
                while (personOf(a) == personOf(b));
            }

            cosines[i] = TensorPrimitives.Dot(vectors.AsSpan(a * dimensions, dimensions), vectors.AsSpan(b * dimensions, dimensions));
        }

        var mean = cosines.Average();
        return (mean, Math.Sqrt(cosines.Sum(c => (c - mean) * (c - mean)) / (pairs - 1)));
    }
}
