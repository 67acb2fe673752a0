namespace Rvs.Cli.Commands;

/// <summary>Where rvs looks for LFW when not told: the workplace's shared data folder beside the repository.</summary>
internal static class DataLocations
{
    public static string DefaultLfw => Path.Combine("..", "shared", "data", "lfw.tgz");

    public static string DefaultPairs => Path.Combine("..", "shared", "data", "pairs.txt");
}
