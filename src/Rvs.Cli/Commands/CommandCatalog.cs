using System.CommandLine;

namespace Rvs.Cli.Commands;

/// <summary>Every subcommand of `rvs`, in the order `rvs --help` lists them.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All() =>
    [
        DemoCommand.Demo(),
        FaceCommands.Detect(),
        FaceCommands.Embed(),
        CollectionCommands.Index(),
        SearchCommand.Search(),
        CollectionCommands.Similar(),
        CollectionCommands.Remove(),
        CollectionCommands.Stats(),
        CollectionCommands.Reindex(),
        ServeCommands.Serve(),
        EvalCommands.Eval(),
        EvalCommands.Verify(),
        PeopleCommands.People(),
        ModelCommands.Models(),
    ];
}
