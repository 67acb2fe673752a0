namespace Rvs.Verdicts;

/// <summary>
/// What a search hit, or a whole search result, says about identity. The order is by strength, and the default
/// value is <see cref="None"/>, so a verdict nobody set never claims a match.
/// </summary>
public enum Verdict
{
    /// <summary>Farther than the 1:1 same-person threshold: most likely someone else.</summary>
    None = 0,

    /// <summary>Under the 1:1 same-person threshold of `rvs verify`, but not under the open-set threshold of this collection.</summary>
    Possible = 1,

    /// <summary>Under the open-set threshold of this collection: strangers come this close in at most the target share of searches.</summary>
    Match = 2,
}

/// <summary>The words every surface shows for a verdict, so the CLI, JSON, contact sheet, API and page agree.</summary>
public static class VerdictWords
{
    /// <summary>"match", "possible" or "none".</summary>
    public static string Word(this Verdict verdict) => verdict switch
    {
        Verdict.Match => "match",
        Verdict.Possible => "possible",
        _ => "none",
    };
}
