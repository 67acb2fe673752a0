using MathNet.Numerics.LinearAlgebra;

namespace Rvs.Testing;

/// <summary>
/// How real face embeddings spread: the mean, and square roots of the between-person covariance (of person means)
/// and the within-person covariance (of photos around their person's mean), fitted from labelled embeddings. Only
/// people with at least two photos count, as one photo says nothing about the within-person spread.
/// </summary>
public sealed class FaceSpread
{
    private FaceSpread(float[] mean, float[] betweenRoot, float[] withinRoot, int people, int photos)
    {
        Mean = mean;
        BetweenRoot = betweenRoot;
        WithinRoot = withinRoot;
        People = people;
        Photos = photos;
    }

    public int Dimensions => Mean.Length;

    public float[] Mean { get; }

    /// <summary>Row-major B with B·Bᵀ the between-person covariance; B·z for z ~ N(0, I) draws a centre offset.</summary>
    public float[] BetweenRoot { get; }

    /// <summary>Row-major W with W·Wᵀ the within-person covariance.</summary>
    public float[] WithinRoot { get; }

    /// <summary>People (with two or more photos) the spread was fitted on.</summary>
    public int People { get; }

    public int Photos { get; }

    /// <summary>
    /// Fits the spread of <paramref name="vectors"/> (rows of <paramref name="dimensions"/> floats) labelled by person.
    /// A mean of n photos still carries 1/n of the within-person covariance, so that share is taken off the
    /// covariance of the means; eigenvalues the subtraction leaves negative are set to zero.
    /// </summary>
    public static FaceSpread Fit(float[] vectors, int dimensions, IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(labels);
        if (vectors.Length != (long)labels.Count * dimensions)
        {
            throw new ArgumentException($"expected {labels.Count} x {dimensions} floats, got {vectors.Length}", nameof(vectors));
        }

        var groups = Enumerable.Range(0, labels.Count).GroupBy(i => labels[i], StringComparer.Ordinal)
            .Select(g => g.ToArray()).Where(rows => rows.Length >= 2).ToArray();
        if (groups.Length < 2)
        {
            throw new ArgumentException("fitting a face spread needs at least two people with two or more photos each", nameof(labels));
        }

        var means = Matrix<double>.Build.Dense(groups.Length, dimensions);
        var deviations = Matrix<double>.Build.Dense(groups.Sum(rows => rows.Length), dimensions);
        var row = 0;
        double inverseSizes = 0;
        for (var p = 0; p < groups.Length; p++)
        {
            var rows = groups[p];
            inverseSizes += 1.0 / rows.Length;
            for (var d = 0; d < dimensions; d++)
            {
                means[p, d] = rows.Average(r => (double)vectors[(long)r * dimensions + d]);
            }

            foreach (var r in rows)
            {
                for (var d = 0; d < dimensions; d++)
                {
                    deviations[row, d] = vectors[(long)r * dimensions + d] - means[p, d];
                }

                row++;
            }
        }

        var mean = means.ColumnSums() / groups.Length;
        var centred = means - Matrix<double>.Build.Dense(groups.Length, dimensions, (_, d) => mean[d]);
        var within = deviations.TransposeThisAndMultiply(deviations) / (deviations.RowCount - groups.Length);
        var between = centred.TransposeThisAndMultiply(centred) / (groups.Length - 1) - within * (inverseSizes / groups.Length);
        return new FaceSpread(
            [.. mean.Select(v => (float)v)], Root(between), Root(within), groups.Length, deviations.RowCount);
    }

    /// <summary>V·√Λ of a symmetric matrix's eigen-decomposition, negative eigenvalues taken as zero.</summary>
    private static float[] Root(Matrix<double> symmetric)
    {
        var evd = symmetric.Evd(Symmetricity.Symmetric);
        var scale = evd.EigenValues.Select(v => Math.Sqrt(Math.Max(0, v.Real)));
        var root = evd.EigenVectors * Matrix<double>.Build.DiagonalOfDiagonalVector(Vector<double>.Build.DenseOfEnumerable(scale));
        var n = symmetric.RowCount;
        var result = new float[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                result[i * n + j] = (float)root[i, j];
            }
        }

        return result;
    }
}
