using System.Diagnostics;
using System.Drawing;
using System.Security.Cryptography;
using System.Threading.Channels;
using Rvs.Imaging;
using Rvs.Pipelines;
using Rvs.Sources;

namespace Rvs.Catalog;

/// <summary>
/// Adds the photos of a folder or archive to a collection. Reading is sequential, decoding and embedding run on
/// several workers, and one writer commits finished photos in batches. Bounded channels between the stages keep
/// memory flat however large the source is.
/// </summary>
/// <remarks>
/// Runs are incremental and resumable: a photo whose path and content are already stored is skipped, a changed
/// one replaces its old faces, and every photo is committed with its faces in one transaction, so a run stopped at
/// any point (cancelled, or the process killed) leaves a consistent catalog that the next run completes.
/// </remarks>
public sealed partial class CollectionIndexer
{
    private readonly FaceCollection _collection;

    public CollectionIndexer(FaceCollection collection)
    {
        _collection = collection ?? throw new ArgumentNullException(nameof(collection));
    }

    /// <summary>Indexes <paramref name="source"/> (a folder or .tgz/.tar.gz/.tar). See <see cref="RunAsync"/>.</summary>
    public IndexingSummary Run(
        string source,
        IEmbeddingPipeline pipeline,
        IndexingOptions options,
        IProgress<IndexingProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        RunAsync(source, pipeline, options, progress, cancellationToken).GetAwaiter().GetResult();

    /// <summary>
    /// Indexes <paramref name="source"/>. Unreadable photos are recorded with their reason and never stop the run.
    /// Cancelling stops taking new photos, commits those already finished, saves the index and returns a summary
    /// with Cancelled set; it does not throw. A pipeline other than the collection's is refused with
    /// <see cref="CollectionMismatchException"/> before anything is read.
    /// </summary>
    public async Task<IndexingSummary> RunAsync(
        string source,
        IEmbeddingPipeline pipeline,
        IndexingOptions options,
        IProgress<IndexingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        FaceCollection.EnsureSamePipeline(_collection.Location, _collection.Pipeline, PipelineIdentity.Of(pipeline));

        var stopwatch = Stopwatch.StartNew();
        var root = Path.GetFullPath(source);
        var fromArchive = !Directory.Exists(root);
        // Enumerate checks that the source exists and is a folder or an archive, before any work starts.
        var photos = PhotoSource.Enumerate(root, options.MaxPhotoBytes);
        long? total = PhotoSource.TryCount(root);
        var known = _collection.ContentHashes(root);

        var workers = Math.Max(1, options.Workers);
        var inbox = Channel.CreateBounded<SourcePhoto>(new BoundedChannelOptions(workers * 2) { SingleWriter = true });
        var outbox = Channel.CreateBounded<ProcessedPhoto>(new BoundedChannelOptions(workers * 2) { SingleReader = true });

        // Two ways to stop: the caller's token stops taking new photos but lets finished ones reach the catalog;
        // abort (the writer failed) unblocks every stage at once so nothing waits on a reader that is gone.
        using var abort = new CancellationTokenSource();
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, abort.Token);
        var sourceExhausted = false;
        IndexingFailure? sourceFailure = null;
        var reader = Task.Run(async () =>
        {
            try
            {
                using var enumerator = photos.GetEnumerator();
                var read = 0;
                while (true)
                {
                    try
                    {
                        if (!enumerator.MoveNext())
                        {
                            break;
                        }
                    }
                    catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or FormatException)
                    {
                        // A damaged archive (a truncated download, typically) still yields the photos before the
                        // damage; index those and report the rest instead of throwing them away.
                        sourceFailure = new IndexingFailure(root, $"the source could not be read past photo {read}: {e.Message}");
                        break;
                    }

                    read++;
                    await inbox.Writer.WriteAsync(enumerator.Current, stopReading.Token);
                }

                sourceExhausted = true;
            }
            catch (OperationCanceledException) when (stopReading.IsCancellationRequested)
            {
                // Stopping early is what was asked; the workers drain what they already have.
            }
            finally
            {
                inbox.Writer.TryComplete();
            }
        }, CancellationToken.None);

        var videoStopped = false;
        var workerTasks = Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            while (!cancellationToken.IsCancellationRequested && await inbox.Reader.WaitToReadAsync(abort.Token))
            {
                if (!inbox.Reader.TryRead(out var photo))
                {
                    continue;
                }

                // A video stopped part-way by cancelling is not written (null): the next run reads it whole.
                var processed = photo.VideoFile is null
                    ? Process(photo, root, fromArchive, known, pipeline, options)
                    : ProcessVideo(photo, root, known, pipeline, options, cancellationToken);
                if (processed is null)
                {
                    videoStopped = true;
                    continue;
                }

                await outbox.Writer.WriteAsync(processed, abort.Token);
            }
        }, CancellationToken.None)).ToArray();

        var completion = Task.Run(async () =>
        {
            try
            {
                await Task.WhenAll(workerTasks.Append(reader));
                outbox.Writer.TryComplete();
            }
            catch (Exception e)
            {
                outbox.Writer.TryComplete(e);
            }
        }, CancellationToken.None);

        var tally = new Tally();
        try
        {
            await WriteAll(outbox.Reader, options, total, tally, progress);
        }
        catch
        {
            await abort.CancelAsync();
            throw;
        }
        finally
        {
            // Whatever happened, never leave the workers running against a collection the caller may dispose.
            await completion;
        }

        var cancelled = cancellationToken.IsCancellationRequested && (videoStopped || !(sourceExhausted && inbox.Reader.Completion.IsCompleted));
        if (sourceFailure is not null)
        {
            tally.Failures.Add(sourceFailure);
        }
        _collection.FinishLabels(options.SamePersonDistance);
        _collection.SaveIndex();
        return new IndexingSummary(tally.Indexed, tally.Skipped, tally.NoFace, tally.Unreadable, tally.Faces,
            tally.Failures, cancelled, stopwatch.Elapsed, sourceFailure);
    }

    /// <summary>The source recorded for photos added one at a time (e.g. uploaded to `rvs serve`).</summary>
    public const string UploadSource = "rvs-upload";

    /// <summary>
    /// Adds one photo given as bytes, with its faces, and updates the index. The photo is stored in the catalog
    /// (there is no file to point at) under "rvs-upload!/&lt;sha256&gt;", so adding the same bytes again replaces
    /// it rather than duplicating it. A photo that cannot be decoded is refused with
    /// <see cref="ImageDecodeException"/> and nothing is written; a photo without faces is recorded as NoFace.
    /// </summary>
    public ImageRecord AddPhoto(byte[] bytes, string? label, IEmbeddingPipeline pipeline, IndexingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(pipeline);
        FaceCollection.EnsureSamePipeline(_collection.Location, _collection.Pipeline, PipelineIdentity.Of(pipeline));
        options = (options ?? new IndexingOptions()) with { LabelFromFolder = false, StoreArchivePhotos = true };
        var name = Convert.ToHexStringLower(SHA256.HashData(bytes));
        // Known hashes are deliberately empty: an upload is never skipped, so a new label replaces the old one.
        var processed = Process(new SourcePhoto(name, bytes), UploadSource, fromArchive: true, [], pipeline, options);
        if (processed.Status == ImageStatus.Unreadable)
        {
            throw new ImageDecodeException(processed.Error ?? "the image could not be read");
        }

        _collection.WriteBatch([processed with { Label = string.IsNullOrWhiteSpace(label) ? null : label.Trim() }]);
        _collection.FinishLabels(options.SamePersonDistance);
        _collection.SaveIndex();
        return _collection.FindImage(processed.Path)
            ?? throw new InvalidOperationException($"the photo {processed.Path} was written but cannot be read back");
    }

    private async Task WriteAll(
        ChannelReader<ProcessedPhoto> results,
        IndexingOptions options,
        long? total,
        Tally tally,
        IProgress<IndexingProgress>? progress)
    {
        var batch = new List<ProcessedPhoto>(options.BatchSize);
        var batchAge = new Stopwatch();

        void Flush()
        {
            _collection.WriteBatch(batch);
            batch.Clear();
            batchAge.Reset();
        }

        while (true)
        {
            while (results.TryRead(out var photo))
            {
                tally.Count(photo);
                progress?.Report(tally.Progress(total, photo.Path));
                if (photo.Skipped)
                {
                    continue;
                }

                batch.Add(photo);
                batchAge.Start();
                if (batch.Count >= options.BatchSize)
                {
                    Flush();
                }
            }

            if (batch.Count > 0 && batchAge.Elapsed >= options.BatchInterval)
            {
                Flush();
            }

            bool more;
            // Wake up when the batch is due even if no photo arrives, so slow photos do not hold finished ones
            // uncommitted.
            var wait = batch.Count == 0 ? Timeout.InfiniteTimeSpan : options.BatchInterval - batchAge.Elapsed;
            using var due = new CancellationTokenSource(wait == Timeout.InfiniteTimeSpan || wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
            try
            {
                more = await results.WaitToReadAsync(due.Token);
            }
            catch (OperationCanceledException) when (due.IsCancellationRequested)
            {
                more = true;
            }
            catch
            {
                // The source broke (e.g. a truncated archive) or a worker failed: keep what is finished, then report.
                Flush();
                throw;
            }

            if (!more)
            {
                break;
            }
        }

        Flush();
    }

    private static ProcessedPhoto Process(
        SourcePhoto photo,
        string root,
        bool fromArchive,
        Dictionary<string, string> known,
        IEmbeddingPipeline pipeline,
        IndexingOptions options)
    {
        var path = StoredPath(root, fromArchive, photo.RelativePath);
        var hash = FaceCollection.ContentHash(photo.Bytes);
        var label = options.LabelFromFolder ? photo.FolderName : null;

        ProcessedPhoto Result(ImageStatus status, string? error, int? width, int? height, IReadOnlyList<ProcessedFace> faces) =>
            new(path, root, photo.RelativePath, fromArchive, hash, photo.Bytes.Length, status, error, label, width, height,
                faces, fromArchive && options.StoreArchivePhotos && status == ImageStatus.Indexed ? photo.Bytes : null);

        if (photo.Problem is not null)
        {
            // Checked before the known hashes: a file the source could not read has no content to compare.
            return Result(ImageStatus.Unreadable, photo.Problem, null, null, []);
        }

        if (known.TryGetValue(path, out var knownHash) && knownHash == hash)
        {
            return Result(ImageStatus.Indexed, null, null, null, []) with { Skipped = true };
        }

        DecodedPhoto decoded;
        try
        {
            decoded = ImageDecoder.Decode(photo.Bytes);
        }
        catch (ImageDecodeException e)
        {
            return Result(ImageStatus.Unreadable, e.Message, null, null, []);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Result(ImageStatus.Unreadable, $"the image could not be decoded: {e.Message}", null, null, []);
        }

        IReadOnlyList<EmbeddedFace> embedded;
        try
        {
            embedded = pipeline.Embed(decoded);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // One photo that trips the models must not end a run over thousands; it is reported like a bad file.
            return Result(ImageStatus.Unreadable, $"the face pipeline failed on this photo: {e.Message}",
                decoded.OriginalWidth, decoded.OriginalHeight, []);
        }

        if (embedded.Count == 0)
        {
            return Result(ImageStatus.NoFace, null, decoded.OriginalWidth, decoded.OriginalHeight, []);
        }

        foreach (var face in embedded)
        {
            if (face.Embedding.Dimensions != pipeline.Dimensions)
            {
                throw new InvalidOperationException(
                    $"Pipeline '{pipeline.Name}' returned a {face.Embedding.Dimensions}-dimensional embedding; it declares {pipeline.Dimensions}.");
            }
        }

        var faces = new List<ProcessedFace>(embedded.Count);
        using var skImage = options.ThumbnailSize > 0 ? FaceThumbnail.ToSkImage(decoded.Image) : null;
        foreach (var face in embedded)
        {
            byte[]? thumbnail = null;
            if (skImage is not null)
            {
                var scale = decoded.Scale;
                var box = face.Face.Box;
                thumbnail = FaceThumbnail.Encode(skImage,
                    new RectangleF(box.X / scale, box.Y / scale, box.Width / scale, box.Height / scale), options.ThumbnailSize);
            }

            faces.Add(new ProcessedFace(face.Face, face.Embedding.ToArray(), thumbnail));
        }

        return Result(ImageStatus.Indexed, null, decoded.OriginalWidth, decoded.OriginalHeight, faces);
    }

    private static string StoredPath(string root, bool fromArchive, string relativePath) =>
        fromArchive ? $"{root}!/{relativePath}" : $"{root.Replace('\\', '/').TrimEnd('/')}/{relativePath}";

    private sealed class Tally
    {
        public int Indexed { get; private set; }

        public int Skipped { get; private set; }

        public int NoFace { get; private set; }

        public int Unreadable { get; private set; }

        public int Faces { get; private set; }

        public List<IndexingFailure> Failures { get; } = [];

        public void Count(ProcessedPhoto photo)
        {
            if (photo.Skipped)
            {
                Skipped++;
                return;
            }

            switch (photo.Status)
            {
                case ImageStatus.Indexed:
                    Indexed++;
                    Faces += photo.Faces.Count;
                    break;
                case ImageStatus.NoFace:
                    NoFace++;
                    break;
                case ImageStatus.Unreadable:
                    Unreadable++;
                    Failures.Add(new IndexingFailure(photo.Path, photo.Error ?? "unreadable"));
                    break;
            }
        }

        public IndexingProgress Progress(long? total, string path) =>
            new(Indexed + Skipped + NoFace + Unreadable, total, Indexed, Skipped, NoFace, Unreadable, path);
    }
}
