using Rvs.Sources;

namespace Rvs.Cli.Commands;

/// <summary>Where rvs looks for LFW when not told: the workplace's shared data folder beside the repository.</summary>
internal static class DataLocations
{
    public static string DefaultLfw => LfwLocator.SharedArchive;

    public static string DefaultPairs => LfwLocator.SharedPairs;
}
