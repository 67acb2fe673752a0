using System.Drawing;
using System.Formats.Tar;
using System.IO.Compression;
using Microsoft.Data.Sqlite;
using Rvs.Catalog;
using Rvs.Detection;
using Rvs.Imaging;
using Rvs.Pipelines;
using Rvs.Testing;
using SkiaSharp;

namespace Rvs.Tests.Catalog;

/// <summary>
/// A pipeline that sees a photo as horizontal bands of flat colour, one face per band, black meaning no face. The
/// embedding is a function of the band's colour, so tests control faces and their nearness by painting.
/// </summary>
internal sealed class BandPipeline(string name = "bands", string modelId = "bands-v1", int dimensions = 8) : IEmbeddingPipeline
{
    private int _calls;

    public string Name { get; } = name;

    public string ModelId { get; } = modelId;

    public int Dimensions { get; } = dimensions;

    /// <summary>Called with the number of photos embedded so far, after each one.</summary>
    public Action<int>? AfterEmbed { get; init; }

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>A band of this colour makes the pipeline throw, as a model might on a pathological photo.</summary>
    public SKColor? FailOn { get; init; }

    public IReadOnlyList<EmbeddedFace> Embed(DecodedPhoto photo)
    {
        var image = photo.Image;
        var faces = new List<EmbeddedFace>();
        var start = 0;
        for (var y = 1; y <= image.Height; y++)
        {
            if (y == image.Height || !SameColour(image, y, start))
            {
                var (r, g, b) = ColourAt(image, start);
                if (FailOn is { } fail && new SKColor(r, g, b) == fail)
                {
                    throw new InvalidOperationException("the model produced NaN");
                }

                if (r + g + b > 0)
                {
                    var box = new RectangleF(0, start * photo.Scale, image.Width * photo.Scale, (y - start) * photo.Scale);
                    var landmarks = Enumerable.Range(0, 5).Select(i => new PointF(box.X + i, box.Y + i)).ToArray();
                    faces.Add(new EmbeddedFace(new DetectedFace(box, 0.99f, landmarks), Rvs.Embedding.FaceEmbedding.Of(EmbeddingOf(new SKColor(r, g, b), Dimensions), Dimensions)));
                }

                start = y;
            }
        }

        AfterEmbed?.Invoke(Interlocked.Increment(ref _calls));
        return faces;
    }

    public Rvs.Embedding.FaceEmbedding EmbedRegion(DecodedPhoto photo, RectangleF box) =>
        throw new NotSupportedException("the indexer never embeds a region without a detected face");

    public static float[] EmbeddingOf(SKColor colour, int dimensions = 8)
    {
        float r = colour.Red / 255f, g = colour.Green / 255f, b = colour.Blue / 255f;
        var raw = new[] { r, g, b, 1 - r, 1 - g, 1 - b, r * g, g * b };
        var vector = Enumerable.Range(0, dimensions).Select(i => raw[i % raw.Length] + 0.01f * (i / raw.Length)).ToArray();
        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        return vector.Select(v => v / norm).ToArray();
    }

    private static (byte R, byte G, byte B) ColourAt(RgbImage image, int y) =>
        (image.Pixels[y * image.Width * 3], image.Pixels[y * image.Width * 3 + 1], image.Pixels[y * image.Width * 3 + 2]);

    private static bool SameColour(RgbImage image, int y1, int y2) => ColourAt(image, y1) == ColourAt(image, y2);

    public void Dispose() { }
}

/// <summary>A temporary photo folder and collection directory, deleted afterwards.</summary>
internal sealed class CatalogScratch : IDisposable
{
    public CatalogScratch()
    {
        Root = Path.Combine(Path.GetTempPath(), "rvs-catalog-" + Guid.NewGuid().ToString("N"));
        Photos = Path.Combine(Root, "photos");
        Collection = Path.Combine(Root, "collection");
        Directory.CreateDirectory(Photos);
    }

    public string Root { get; }

    public string Photos { get; }

    public string Collection { get; }

    /// <summary>The back end every collection of this scratch uses; it counts builds and loads.</summary>
    public BruteForceBackEnd BackEnd { get; } = new();

    public List<BruteForceIndex> LoadedIndexes => BackEnd.Loaded;

    public int Builds => BackEnd.Builds;

    public CollectionOptions Options => BackEnd.Options;

    public FaceCollection Open(IEmbeddingPipeline? pipeline = null, string? directory = null) =>
        FaceCollection.OpenOrCreate(directory ?? Collection, PipelineIdentity.Of(pipeline ?? new BandPipeline()), Options);

    /// <summary>
    /// Rows per band: a band's face is 24 × 24 px, just big enough for <see cref="Rvs.Pipelines.FaceQuality"/>, so
    /// searches keep it.
    /// </summary>
    public const int BandRows = 24;

    /// <summary>Writes a PNG of horizontal bands (each <see cref="BandRows"/> rows), one face per non-black band.</summary>
    public string Photo(string relativePath, params SKColor[] bands) => Write(relativePath, Png(bands));

    /// <summary>Writes <paramref name="png"/> under the photo folder and returns its path.</summary>
    public string Write(string relativePath, byte[] png)
    {
        var path = Path.Combine(Photos, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, png);
        return path;
    }

    public static byte[] Png(params SKColor[] bands) => Png(BandRows, bands);

    /// <summary>A PNG of bands of <paramref name="rows"/> rows each (24 px wide): thin bands make low-quality faces.</summary>
    public static byte[] Png(int rows, params SKColor[] bands)
    {
        using var bitmap = new SKBitmap(24, rows * bands.Length);
        using (var canvas = new SKCanvas(bitmap))
        {
            for (var i = 0; i < bands.Length; i++)
            {
                using var paint = new SKPaint { Color = bands[i] };
                canvas.DrawRect(0, rows * i, 24, rows, paint);
            }
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    public static SKColor Colour(int i) => new((byte)(40 + i * 37 % 200), (byte)(60 + i * 53 % 190), (byte)(30 + i * 71 % 220));

    /// <summary>Packs the photo folder into a .tgz next to it.</summary>
    public string Archive(string name = "photos.tgz")
    {
        var path = Path.Combine(Root, name);
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var writer = new TarWriter(gzip);
        foreach (var photo in Directory.EnumerateFiles(Photos, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            writer.WriteEntry(photo, Path.GetRelativePath(Photos, photo).Replace('\\', '/'));
        }

        return path;
    }

    /// <summary>Everything a user could observe about the catalog, ids aside, in a stable order.</summary>
    public static List<string> Dump(string collection)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(collection, "catalog.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT i.path, i.content_hash, i.status, ifnull(i.error, ''), ifnull(i.label, ''), ifnull(i.width, -1),
                   f.ordinal, f.x, f.y, f.w, f.h, f.landmarks, hex(e.vector), length(t.jpeg) > 0
            FROM images i LEFT JOIN faces f ON f.image_id = i.id LEFT JOIN embeddings e ON e.face_id = f.id
                 LEFT JOIN thumbnails t ON t.face_id = f.id
            ORDER BY i.path, f.ordinal
            """;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "∅" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    // What each catalog step added, undone; a new step in CatalogMigrations needs its line here.
    private static readonly Dictionary<int, string> UndoOfStep = new()
    {
        [2] = "DROP TABLE person_exclusions; DROP TABLE person_faces; DROP TABLE persons; DROP INDEX images_content_hash;",
        [5] = "", // model ids are data: a test that needs an old id records it itself
        [6] = "ALTER TABLE images DROP COLUMN media; ALTER TABLE faces DROP COLUMN time_seconds;",
    };

    /// <summary>Makes the collection's catalog look as an older rvs wrote it: every step after <paramref name="version"/> undone.</summary>
    public static void RollBackTo(string collection, int version)
    {
        SqliteConnection.ClearAllPools();
        var undo = string.Concat(CatalogMigrations.Steps.Where(s => s.Version > version).Reverse().Select(s =>
            UndoOfStep.TryGetValue(s.Version, out var sql) ? sql : throw new InvalidOperationException($"no undo for catalog step {s.Version} in CatalogScratch")));
        Scalar(collection, undo + string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"UPDATE settings SET value = '{version}' WHERE key = 'schema_version'; PRAGMA user_version = {version}; SELECT 0"));
    }

    public static long Scalar(string collection, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(collection, "catalog.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
