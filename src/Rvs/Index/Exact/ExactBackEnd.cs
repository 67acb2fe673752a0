namespace Rvs.Index;

/// <summary>
/// The exact scan. It saves nothing: rebuilding the matrix from the catalog's embeddings reads the same bytes a saved
/// copy would, so a second file would only cost disk and a chance to disagree.
/// </summary>
public sealed class ExactBackEnd : IVectorBackEnd
{
    public const string KindName = "exact";

    public string Kind => KindName;

    public IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public IVectorIndex Create(int dimensions, long expectedCount) =>
        new ExactVectorIndex(dimensions, (int)Math.Clamp(expectedCount + 1024, 1024, int.MaxValue / Math.Max(1, dimensions)));

    public bool Save(IVectorIndex index, string directory) => false;

    public IVectorIndex? Load(string directory, int dimensions) => null;
}
