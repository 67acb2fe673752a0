using System.CommandLine;
using System.CommandLine.Help;
using Rvs.Cli.Commands;
using Spectre.Console;

// Tables written to a file or pipe would otherwise be squeezed into 80 columns.
if (Console.IsOutputRedirected)
{
    AnsiConsole.Profile.Width = 200;
}

// A plain command named "rvs" rather than RootCommand, whose name would be the assembly's (Rvs.Cli) in help text.
var root = new Command("rvs", "rvs: reverse visual search for faces. Index a photo collection, then find the faces most like a photo.")
{
    new HelpOption(),
    new VersionOption(),
};
CliErrors.Json = args.Contains("--json");
foreach (var command in CommandCatalog.All())
{
    root.Subcommands.Add(command);
}

return await root.Parse(args).InvokeAsync();
