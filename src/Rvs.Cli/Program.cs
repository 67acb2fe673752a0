using System.CommandLine;
using Rvs.Cli.Commands;

var root = new RootCommand("rvs: reverse visual search for faces. Index a photo collection, then find the faces most like a photo.");
foreach (var command in CommandCatalog.All())
{
    root.Subcommands.Add(command);
}

return await root.Parse(args).InvokeAsync();
