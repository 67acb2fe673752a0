using System.Diagnostics;
using System.Globalization;
using Rvs.Catalog;
using Rvs.Evaluation;
using Rvs.Pipelines;

namespace Rvs.Bench;

/// <summary>
/// Are folder labels on the right face? Indexes LFW with --label-from-folder (or reads a collection built that way)
/// and counts, against LFW's own convention that the labelled person is the face nearest the photo's centre: the
/// share of labelled faces that are that face, and the labelled bystanders among all faces.
/// </summary>
internal static class LabelsBenchmark
{
    public static int Run(string[] args)
    {
        var directory = BenchArguments.Value(args, "--collection") ?? Path.Combine(Path.GetTempPath(), "rvs-labels-bench");
        if (!FaceCollection.Exists(directory) || args.Contains("--reindex"))
        {
            using var pipeline = PipelineFactory.Create(PipelineNames.MtcnnFaceNet);
            using var collection = FaceCollection.OpenOrCreate(directory, PipelineIdentity.Of(pipeline));
            var clock = Stopwatch.StartNew();
            var summary = new CollectionIndexer(collection).Run(BenchArguments.Lfw(args), pipeline, new IndexingOptions
            {
                LabelFromFolder = true,
                SamePersonDistance = VerificationThresholds.SamePersonDistance(pipeline.ModelId),
            });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"indexed {summary.Indexed:N0} photos ({summary.Faces:N0} faces) in {clock.Elapsed.TotalSeconds:0} s into {directory}"));
        }

        using (var collection = FaceCollection.Open(directory))
        {
            long faces = 0, labelled = 0, labelledCentral = 0, labelledBystanders = 0, photosWithoutLabelledFace = 0, photos = 0;
            foreach (var image in collection.GetImages(ImageStatus.Indexed).Where(i => i.Label is not null))
            {
                photos++;
                var all = collection.GetFaces(image.ImageId);
                var (cx, cy) = ((image.Width ?? 0) / 2f, (image.Height ?? 0) / 2f);
                var central = all.MinBy(f => Math.Pow(f.Box.X + f.Box.Width / 2 - cx, 2) + Math.Pow(f.Box.Y + f.Box.Height / 2 - cy, 2))!;
                faces += all.Count;
                var ours = all.Where(f => f.Label is not null).ToList();
                labelled += ours.Count;
                labelledCentral += ours.Count(f => f.FaceId == central.FaceId);
                labelledBystanders += ours.Count(f => f.FaceId != central.FaceId);
                photosWithoutLabelledFace += ours.Count == 0 ? 1 : 0;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                | labelled photos | faces | labelled faces | of them the central face | labelled bystanders (of all faces) | photos with no labelled face |
                |---|---|---|---|---|---|
                | {photos:N0} | {faces:N0} | {labelled:N0} | {labelledCentral:N0} ({100.0 * labelledCentral / Math.Max(1, labelled):0.00}%) | {labelledBystanders:N0} ({100.0 * labelledBystanders / Math.Max(1, faces):0.00}%) | {photosWithoutLabelledFace:N0} |
                """));
        }

        return 0;
    }
}
