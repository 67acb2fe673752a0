namespace Rvs;

/// <summary>
/// Where rvs keeps what it can always make again (downloads, converted-model sources, evaluation embeddings):
/// $XDG_CACHE_HOME/rvs, or ~/.cache/rvs when it is unset or not absolute (as the XDG spec asks).
/// </summary>
public static class UserCache
{
    public static string Folder(params string[] parts)
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = !string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine([root, "rvs", .. parts]);
    }
}
