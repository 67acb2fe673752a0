using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Rvs.Detection;
using Rvs.Errors;
using Rvs.Imaging;
using Rvs.Pipelines;

namespace Rvs.Cli.Commands;

/// <summary>`rvs detect` and `rvs embed`: run the pipeline on one photo and show what it sees.</summary>
internal static class FaceCommands
{
    public static Command Detect()
    {
        var image = new Argument<FileInfo>("image") { Description = $"A photo ({ImageDecoder.SupportedFormats})." };
        var json = JsonOption();
        var annotate = new Option<FileInfo?>("--annotate", "-o") { Description = "Write a PNG of the photo with boxes and landmarks drawn." };
        var minFace = MinFaceOption();
        var command = new Command("detect", "Find faces in a photo: boxes, scores and five landmarks.") { image, json, annotate, minFace };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var photo = ImageDecoder.DecodeFile(parse.GetValue(image)!.FullName);
            using var detector = PipelineFactory.CreateDetector();
            var faces = Resolution(parse, minFace).Detect(detector, photo);

            if (parse.GetValue(annotate) is { } output)
            {
                WriteAnnotated(output.FullName, parse.GetValue(image)!.FullName, faces);
                Console.Error.WriteLine($"annotated photo written to {output.FullName}");
            }

            if (parse.GetValue(json))
            {
                JsonOutput.Print(new JsonObject { ["faces"] = new JsonArray([.. faces.Select(f => (JsonNode)JsonOutput.Face(f))]) });
            }
            else
            {
                PrintFaces(faces);
            }

            return 0;
        }));
        return command;
    }

    public static Command Embed()
    {
        var image = new Argument<FileInfo>("image") { Description = $"A photo ({ImageDecoder.SupportedFormats})." };
        var json = JsonOption();
        var pipeline = PipelineOption();
        var minFace = MinFaceOption();
        var command = new Command("embed", "Print the embedding of each face in a photo (or of the whole photo with --pipeline resnet).") { image, json, pipeline, minFace };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var photo = ImageDecoder.DecodeFile(parse.GetValue(image)!.FullName);
            using var embedder = PipelineFactory.Create(parse.GetValue(pipeline)!, resolution: Resolution(parse, minFace));
            var faces = embedder.Embed(photo);
            if (embedder.Name == PipelineNames.ResNet)
            {
                var vector = faces[0].Embedding.ToArray();
                if (parse.GetValue(json))
                {
                    JsonOutput.Print(new JsonObject { ["embedding"] = JsonOutput.Vector(vector) });
                }
                else
                {
                    Console.WriteLine(string.Join(' ', vector.Select(v => v.ToString("0.######", CultureInfo.InvariantCulture))));
                }

                return 0;
            }

            if (parse.GetValue(json))
            {
                JsonOutput.Print(new JsonObject { ["faces"] = new JsonArray([.. faces.Select(f => (JsonNode)JsonOutput.Face(f.Face, f.Embedding.ToArray()))]) });
            }
            else
            {
                PrintFaces(faces.Select(f => f.Face).ToList());
                foreach (var (face, i) in faces.Select((f, i) => (f, i)))
                {
                    Console.WriteLine($"face {i}: {string.Join(' ', face.Embedding.Select(v => v.ToString("0.######", CultureInfo.InvariantCulture)))}");
                }
            }

            return 0;
        }));
        return command;
    }

    public static Option<bool> JsonOption() => new("--json") { Description = "Print exactly one JSON object on stdout (logs go to stderr)." };

    public static Option<string> PipelineOption() => new Option<string>("--pipeline", "-p")
    {
        Description = "Which pipeline embeds photos.",
        DefaultValueFactory = _ => PipelineNames.MtcnnFaceNet,
    }.AcceptOnlyFromAmong([.. PipelineNames.All]);

    /// <summary>Smallest face to look for, in pixels of the original photo; unset keeps <see cref="FaceResolution.MinFaceSize"/>'s default.</summary>
    public static Option<int?> MinFaceOption() => new("--min-face")
    {
        Description = "Smallest face to find, in pixels of the original photo (default: 20 px, or 24 px of the 1024 px detection decode of larger photos, e.g. 96 px on 4032x3024; smaller is slower).",
    };

    /// <summary>What <see cref="MinFaceOption"/> asks for, checked in the command's action so a bad value is one line, not the help page.</summary>
    public static FaceResolution Resolution(ParseResult parse, Option<int?> minFace) =>
        parse.GetValue(minFace) is < 1
            ? throw new InvalidRequestException("--min-face is a face side in pixels, 1 or more")
            : new FaceResolution { MinFaceSize = parse.GetValue(minFace) };

    private static void PrintFaces(IReadOnlyList<DetectedFace> faces)
    {
        if (faces.Count == 0)
        {
            Console.WriteLine("no faces found");
            return;
        }

        foreach (var (face, i) in faces.Select((f, i) => (f, i)))
        {
            var b = face.Box;
            var points = string.Join(" ", face.Landmarks.Select(p => $"({p.X:0.#},{p.Y:0.#})"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"face {i}: box x={b.X:0.#} y={b.Y:0.#} w={b.Width:0.#} h={b.Height:0.#}  score={face.Score:0.000}  landmarks {points}"));
        }
    }

    private static void WriteAnnotated(string output, string source, IReadOnlyList<DetectedFace> faces)
    {
        // Drawn on the full-resolution photo so the boxes sit where a viewer shows the faces.
        var full = ImageDecoder.DecodeFile(source, maxSide: int.MaxValue / 4);
        var scale = (float)full.Image.Width / full.OriginalWidth;
        var marks = faces.Select((f, i) =>
        {
            var scaled = f.Scaled(scale);
            return new ImageMark(scaled.Box, scaled.Landmarks, $"{i}: {f.Score:0.00}");
        }).ToList();
        File.WriteAllBytes(output, ImageEncoder.Encode(full.Image, marks: marks));
    }
}
