using System.CommandLine;

namespace Rvs.Cli.Commands;

/// <summary>`rvs models …`: where the models come from and how to rebuild them.</summary>
internal static class ModelCommands
{
    public static Command Models()
    {
        var command = new Command("models", "Manage the face models (converted from TFLite; see models/README.md).");
        return command;
    }
}
