namespace Rvs.Index;

/// <summary>
/// The back-end kinds a process knows, each able to make itself again from the settings it recorded. The core
/// library knows the embedded ones (exact, HNSW); a host adds others (Rvs.Garnet adds "garnet") with <see cref="With"/>.
/// </summary>
public sealed class VectorBackEnds
{
    public const string Auto = "auto";

    /// <summary>
    /// Below this size "auto" picks the exact scan: it answers in a few milliseconds with perfect recall, so a graph's
    /// build time, memory and approximation are not worth paying for.
    /// </summary>
    public const long AutoHnswThreshold = 100_000;

    // Each kind is made from its recorded settings and the collection's face count, which picks the defaults of
    // settings not recorded (HNSW's are measured per collection size).
    private readonly Dictionary<string, Func<IReadOnlyDictionary<string, string>, long, IVectorBackEnd>> _kinds;

    private VectorBackEnds(Dictionary<string, Func<IReadOnlyDictionary<string, string>, long, IVectorBackEnd>> kinds) => _kinds = kinds;

    /// <summary>Exact and HNSW, which live in the process and need nothing but the catalog.</summary>
    public static VectorBackEnds Embedded { get; } = new(new(StringComparer.Ordinal)
    {
        [ExactBackEnd.KindName] = (_, _) => new ExactBackEnd(),
        [HnswBackEnd.KindName] = HnswBackEnd.FromSettings,
    });

    /// <summary>The kinds known, "auto" first: what --index accepts.</summary>
    public IReadOnlyList<string> Kinds => [Auto, .. _kinds.Keys];

    /// <summary>These kinds plus one more, made from its recorded settings by <paramref name="fromSettings"/>.</summary>
    public VectorBackEnds With(string kind, Func<IReadOnlyDictionary<string, string>, IVectorBackEnd> fromSettings) =>
        new(new(_kinds, StringComparer.Ordinal) { [kind] = (settings, _) => fromSettings(settings) });

    /// <summary>
    /// The back end a collection recorded: <paramref name="kind"/> as stored ("auto" resolved for a collection of
    /// <paramref name="faces"/> faces) with its recorded <paramref name="settings"/>.
    /// </summary>
    public IVectorBackEnd FromSettings(string kind, IReadOnlyDictionary<string, string> settings, long faces)
    {
        ArgumentNullException.ThrowIfNull(kind);
        var resolved = ResolveKind(kind, faces);
        return _kinds.TryGetValue(resolved, out var make)
            ? make(settings, faces)
            : throw new ArgumentException($"unknown index kind '{kind}'; expected one of {string.Join(", ", Kinds)}", nameof(kind));
    }

    /// <summary>
    /// An empty embedded index of <paramref name="kind"/> ("auto" chosen by <paramref name="expectedCount"/>) with its
    /// default settings, for a computation that needs one for a while (evaluation, clustering), not a collection.
    /// </summary>
    public static IVectorIndex CreateEmbedded(int dimensions, long expectedCount, string kind = Auto) =>
        Embedded.FromSettings(kind, new Dictionary<string, string>(), expectedCount).Create(dimensions, expectedCount);

    /// <summary>Resolves "auto" for <paramref name="faces"/> vectors; other kinds pass through, lower-cased.</summary>
    public static string ResolveKind(string kind, long faces)
    {
        ArgumentNullException.ThrowIfNull(kind);
        var lower = kind.ToLowerInvariant();
        return lower == Auto ? (faces >= AutoHnswThreshold ? HnswBackEnd.KindName : ExactBackEnd.KindName) : lower;
    }
}
