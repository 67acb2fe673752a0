namespace Rvs.Evaluation;

/// <summary>
/// One embedding per image of a data set: keys ("Person/Person_0001.jpg"), a row-major matrix of unit vectors and,
/// per image, whether detection failed and the central-crop fallback was embedded instead.
/// </summary>
public sealed class EmbeddingSet
{
    private readonly Dictionary<string, int> _indexOfKey;

    /// <param name="keys">One key per row.</param>
    /// <param name="vectors">keys.Count rows of <paramref name="dimensions"/> floats.</param>
    /// <param name="dimensions">Floats per row.</param>
    /// <param name="detectionFailed">One flag per row.</param>
    /// <param name="seconds">Wall time it took to embed the set, kept so a cached set still reports its speed.</param>
    public EmbeddingSet(IReadOnlyList<string> keys, float[] vectors, int dimensions, bool[] detectionFailed, double seconds)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(detectionFailed);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        if (vectors.Length != (long)keys.Count * dimensions)
        {
            throw new ArgumentException($"expected {keys.Count} x {dimensions} floats, got {vectors.Length}", nameof(vectors));
        }

        if (detectionFailed.Length != keys.Count)
        {
            throw new ArgumentException($"expected {keys.Count} detection flags, got {detectionFailed.Length}", nameof(detectionFailed));
        }

        _indexOfKey = new Dictionary<string, int>(keys.Count, StringComparer.Ordinal);
        for (var i = 0; i < keys.Count; i++)
        {
            if (!_indexOfKey.TryAdd(keys[i], i))
            {
                throw new ArgumentException($"key '{keys[i]}' appears twice", nameof(keys));
            }
        }

        Keys = keys;
        Vectors = vectors;
        Dimensions = dimensions;
        DetectionFailed = detectionFailed;
        Seconds = seconds;
    }

    public IReadOnlyList<string> Keys { get; }

    public float[] Vectors { get; }

    public int Dimensions { get; }

    public bool[] DetectionFailed { get; }

    public double Seconds { get; }

    public int Count => Keys.Count;

    public int DetectionFailures => DetectionFailed.Count(failed => failed);

    public ReadOnlySpan<float> Row(int index) => Vectors.AsSpan(index * Dimensions, Dimensions);

    public bool TryGetIndex(string key, out int index) => _indexOfKey.TryGetValue(key, out index);

    /// <summary>The person of each row, taken from its key's folder.</summary>
    public string[] Labels() => Keys.Select(LfwPairs.LabelOfKey).ToArray();
}
