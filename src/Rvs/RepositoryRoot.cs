namespace Rvs;

/// <summary>
/// The source checkout rvs runs from, if it runs from one: the folder above the running assembly that holds Rvs.sln.
/// It tells where the checkout's ../shared/data and .tools are; an installed rvs has none and gets null.
/// </summary>
public static class RepositoryRoot
{
    public static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Rvs.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
