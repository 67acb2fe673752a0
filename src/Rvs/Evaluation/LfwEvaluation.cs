using System.Diagnostics;
using System.Drawing;
using System.Globalization;
using Rvs.Embedding;
using Rvs.Imaging;
using Rvs.Pipelines;
using Rvs.Sources;
using Rvs.Verdicts;

namespace Rvs.Evaluation;

/// <summary>What to evaluate a pipeline on, and how.</summary>
public sealed record LfwEvaluationOptions
{
    /// <summary>lfw.tgz or an extracted LFW folder.</summary>
    public required string Source { get; init; }

    /// <summary>The official pairs.txt.</summary>
    public required string PairsPath { get; init; }

    /// <summary>Where embeddings are kept between runs; null embeds every time.</summary>
    public EmbeddingCache? Cache { get; init; }

    /// <summary>Builds the neighbour search over the embedded gallery; null means exact brute-force search.</summary>
    public Func<EmbeddingSet, NeighbourSearch>? SearchFactory { get; init; }

    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Gives the open-set calibration rvs's own threshold is measured by, from the pipeline's model id and the split
    /// embedded set (read it from models/open-set.json, or measure it on the calibration half); null, or a null
    /// answer, leaves out the figures that need it.
    /// </summary>
    public Func<string, OpenSetGallery, OpenSetCalibration?>? OpenSetCalibrationFor { get; init; }

    /// <summary>The target FPIR rvs's own open-set threshold is computed for.</summary>
    public double TargetFpir { get; init; } = OpenSetCalibration.DefaultTargetFpir;
}

/// <summary>Runs EVALUATION.md for one pipeline: embed LFW (or take it from the cache), then retrieval and verification.</summary>
public static class LfwEvaluation
{
    public static PipelineResult Evaluate(
        IEmbeddingPipeline pipeline,
        LfwEvaluationOptions options,
        IProgress<(int done, int total)>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(options);

        // Read the pairs first: a wrong path should fail in a second, not after minutes of embedding.
        var pairs = LfwPairs.Load(options.PairsPath);
        var set = EmbedOrLoad(pipeline, options, progress, cancellationToken);
        var result = Score(pipeline.Name, set, pairs, options.SearchFactory?.Invoke(set)) with { ModelId = pipeline.ModelId };
        var gallery = new OpenSetGallery(set);
        if (!OpenSetEvaluation.CanRun(gallery))
        {
            return result;
        }

        return result with { OpenSet = OpenSetEvaluation.Run(gallery, options.OpenSetCalibrationFor?.Invoke(pipeline.ModelId, gallery), options.TargetFpir, result.DecisionThreshold) };
    }

    /// <summary>LFW embedded by the pipeline: from the cache when it holds this pipeline and source, else embedded (and cached).</summary>
    public static EmbeddingSet EmbedOrLoad(
        IEmbeddingPipeline pipeline,
        LfwEvaluationOptions options,
        IProgress<(int done, int total)>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(options);
        var sourceId = SourceId(options.Source);
        var set = options.Cache?.TryLoad(pipeline.Name, pipeline.ModelId, sourceId);
        if (set is null)
        {
            set = Embed(pipeline, PhotoSource.Enumerate(options.Source), options.MaxDegreeOfParallelism, progress, cancellationToken);
            options.Cache?.Save(pipeline.Name, pipeline.ModelId, sourceId, set);
        }
        else
        {
            progress?.Report((set.Count, set.Count));
        }

        return set;
    }

    /// <summary>Retrieval and verification figures of an embedded LFW.</summary>
    public static PipelineResult Score(string pipelineName, EmbeddingSet set, LfwPairs pairs, NeighbourSearch? search = null)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(pairs);
        var retrieval = RetrievalMetrics.Evaluate(set, search);
        var scoredPairs = VerificationProtocol.Score(pairs, set);
        var verification = VerificationProtocol.Evaluate(scoredPairs);
        var decision = VerificationProtocol.ChooseThreshold(scoredPairs);
        return new PipelineResult(
            pipelineName,
            retrieval.Rank1,
            retrieval.Hit20,
            retrieval.Precision20,
            retrieval.Map20,
            verification.MeanAccuracy,
            verification.StdAccuracy,
            verification.MeanThreshold,
            set.DetectionFailures,
            set.Count,
            set.Seconds > 0 ? set.Count / set.Seconds : 0,
            set.Seconds)
        {
            DecisionThreshold = decision.Threshold,
            DecisionAccuracy = decision.Accuracy,
        };
    }

    /// <summary>
    /// One embedding per photo, rows ordered by key so that gallery indices (and thus ties) do not depend on the
    /// order of entries in the archive. Wall time covers reading, decoding and embedding.
    /// </summary>
    public static EmbeddingSet Embed(
        IEmbeddingPipeline pipeline,
        IEnumerable<SourcePhoto> photos,
        int maxDegreeOfParallelism,
        IProgress<(int done, int total)>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(photos);
        var clock = Stopwatch.StartNew();

        // LFW's JPEGs are 180 MB in all; holding them gives the progress a total and lets every core take work.
        var items = photos.Select(p => (Key: LfwPairs.KeyOfPath(p.RelativePath), p.Bytes))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .ToArray();
        var dimensions = pipeline.Dimensions;
        var vectors = new float[checked(items.Length * dimensions)];
        var failed = new bool[items.Length];
        var done = 0;
        progress?.Report((0, items.Length));
        Parallel.For(
            0,
            items.Length,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxDegreeOfParallelism), CancellationToken = cancellationToken },
            i =>
            {
                var (key, bytes) = items[i];
                DecodedPhoto photo;
                try
                {
                    photo = ImageDecoder.Decode(bytes);
                }
                catch (ImageDecodeException e)
                {
                    throw new InvalidDataException($"'{key}': {e.Message}", e);
                }

                var (embedding, detectionFailed) = EmbedOne(pipeline, photo);
                if (embedding.Dimensions != dimensions)
                {
                    throw new InvalidOperationException($"'{key}': the pipeline returned {embedding.Dimensions} floats; it declares {dimensions}");
                }

                embedding.CopyTo(vectors, i * dimensions);
                failed[i] = detectionFailed;
                progress?.Report((Interlocked.Increment(ref done), items.Length));
            });

        return new EmbeddingSet(items.Select(p => p.Key).ToArray(), vectors, dimensions, failed, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// The photo's one embedding: the detected face whose box centre is nearest the photo's centre (LFW centres the
    /// labelled person; other faces are bystanders), else the central crop, reported as a detection failure.
    /// </summary>
    public static (FaceEmbedding Embedding, bool DetectionFailed) EmbedOne(IEmbeddingPipeline pipeline, DecodedPhoto photo)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(photo);
        var faces = pipeline.Embed(photo);
        if (faces.Count == 0)
        {
            return (pipeline.EmbedRegion(photo, CentralCrop(photo.OriginalWidth, photo.OriginalHeight)), true);
        }

        var centreX = photo.OriginalWidth / 2f;
        var centreY = photo.OriginalHeight / 2f;
        var best = faces[0];
        var bestDistance = float.PositiveInfinity;
        foreach (var face in faces)
        {
            var c = face.Face.Center;
            var distance = (c.X - centreX) * (c.X - centreX) + (c.Y - centreY) * (c.Y - centreY);

            // Strictly nearer only, so an exact tie keeps the pipeline's order (largest face first).
            if (distance < bestDistance)
            {
                best = face;
                bestDistance = distance;
            }
        }

        return (best.Embedding, false);
    }

    /// <summary>
    /// The fallback box: the central half of each side (x and y from 25% to 75%), in original-photo pixels. On a
    /// 250x250 LFW photo that is 125x125 around the centre, roughly where LFW's face detector put the face.
    /// </summary>
    public static RectangleF CentralCrop(int width, int height) =>
        new(width * 0.25f, height * 0.25f, width * 0.5f, height * 0.5f);

    /// <summary>
    /// Identifies a source for the cache: its full path, plus size and modification time for an archive. A folder
    /// is identified by its path alone (checking every file would cost what the cache saves).
    /// </summary>
    public static string SourceId(string source)
    {
        var full = Path.GetFullPath(source);
        if (File.Exists(full))
        {
            var info = new FileInfo(full);
            return string.Create(CultureInfo.InvariantCulture, $"{full}|{info.Length}|{info.LastWriteTimeUtc.Ticks}");
        }

        return full;
    }
}
