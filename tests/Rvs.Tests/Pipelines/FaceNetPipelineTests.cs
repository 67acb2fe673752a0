using System.Drawing;
using Rvs.Embedding;
using Rvs.Imaging;
using Rvs.Tests.Support;
using SkiaSharp;

namespace Rvs.Tests.Pipelines;

public class FaceNetPipelineTests
{
    private static FaceEmbedding EmbedLargest(string path) => SharedPipelines.FaceNet.Embed(ImageDecoder.DecodeFile(path))[0].Embedding;

    [Fact]
    public void embeddings_are_unit_length_and_192_wide()
    {
        var faces = SharedPipelines.FaceNet.Embed(ImageDecoder.DecodeFile(TestData.LfwPhoto("Colin_Powell", 1)));

        var face = Assert.Single(faces);
        Assert.Equal(192, face.Embedding.Dimensions);
        Assert.Equal(1f, System.Numerics.Tensors.TensorPrimitives.Norm(face.Embedding), 4);
    }

    [Fact]
    public void the_same_person_is_closer_than_two_different_people()
    {
        var bush1 = EmbedLargest(TestData.LfwPhoto("George_W_Bush", 1));
        var bush2 = EmbedLargest(TestData.LfwPhoto("George_W_Bush", 2));
        var powell1 = EmbedLargest(TestData.LfwPhoto("Colin_Powell", 1));
        var powell2 = EmbedLargest(TestData.LfwPhoto("Colin_Powell", 2));

        var same = Math.Max(VectorMath.Distance(bush1, bush2), VectorMath.Distance(powell1, powell2));
        var different = new[] { VectorMath.Distance(bush1, powell1), VectorMath.Distance(bush1, powell2), VectorMath.Distance(bush2, powell1), VectorMath.Distance(bush2, powell2) }.Min();
        Assert.True(same < 0.9f, $"same-person distance {same}");
        Assert.True(different > 1.1f, $"different-person distance {different}");
    }

    [Fact]
    public void a_grey_scale_jpeg_still_finds_and_recognises_the_face()
    {
        using var colour = SKBitmap.Decode(TestData.LfwPhoto("Colin_Powell", 1));
        using var grey = new SKBitmap(new SKImageInfo(colour.Width, colour.Height, SKColorType.Gray8));
        using (var canvas = new SKCanvas(grey))
        {
            canvas.DrawBitmap(colour, 0, 0);
        }

        using var jpeg = SKImage.FromBitmap(grey).Encode(SKEncodedImageFormat.Jpeg, 90);
        var faces = SharedPipelines.FaceNet.Embed(ImageDecoder.Decode(jpeg.AsSpan()));

        var face = Assert.Single(faces);
        Assert.True(VectorMath.Distance(face.Embedding, EmbedLargest(TestData.LfwPhoto("Colin_Powell", 1))) < 0.8f);
    }

    [Fact]
    public void a_truncated_jpeg_gives_a_result_or_a_clear_error_never_a_crash()
    {
        var bytes = File.ReadAllBytes(TestData.LfwPhoto("Colin_Powell", 1));
        var truncated = bytes.AsSpan(0, bytes.Length / 2).ToArray();

        try
        {
            var faces = SharedPipelines.FaceNet.Embed(ImageDecoder.Decode(truncated));
            Assert.All(faces, f => Assert.Equal(192, f.Embedding.Dimensions));
        }
        catch (ImageDecodeException e)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
        }
    }

    [Fact]
    public void several_faces_in_one_photo_are_all_embedded_largest_first()
    {
        // Two LFW portraits side by side, one smaller than the other.
        using var a = SKBitmap.Decode(TestData.LfwPhoto("George_W_Bush", 1));
        using var b = SKBitmap.Decode(TestData.LfwPhoto("Colin_Powell", 1));
        using var pair = new SKBitmap(500, 250);
        using (var canvas = new SKCanvas(pair))
        {
            canvas.Clear(SKColors.White);
            canvas.DrawBitmap(a, new SKRect(0, 0, 250, 250));
            canvas.DrawBitmap(b, new SKRect(300, 50, 480, 230));
        }

        using var png = SKImage.FromBitmap(pair).Encode(SKEncodedImageFormat.Png, 100);
        var faces = SharedPipelines.FaceNet.Embed(ImageDecoder.Decode(png.AsSpan()));

        Assert.True(faces.Count >= 2, $"found {faces.Count} faces");
        Assert.True(faces[0].Face.Area >= faces[1].Face.Area);
        Assert.True(faces[0].Face.Center.X < 250, "the larger face is the left one");
        Assert.Contains(faces, f => f.Face.Center.X > 300);
    }

    [Fact]
    public void embedding_a_region_without_detection_gives_a_unit_vector()
    {
        var photo = ImageDecoder.DecodeFile(TestData.LfwPhoto("Colin_Powell", 1));

        var vector = SharedPipelines.FaceNet.EmbedRegion(photo, new RectangleF(62.5f, 62.5f, 125, 125));

        Assert.Equal(192, vector.Dimensions);
        Assert.Equal(1f, System.Numerics.Tensors.TensorPrimitives.Norm(vector), 4);
    }
}

public class MirrorAugmentationTests
{
    [Fact]
    public void with_mirroring_a_face_and_its_mirror_image_get_the_same_embedding()
    {
        using var embedder = new Rvs.Embedding.MobileFaceNetEmbedder(Rvs.Models.ModelFiles.FaceModel(Rvs.Models.ModelFiles.MobileFaceNet), addMirror: true);
        var photo = ImageDecoder.DecodeFile(TestData.LfwPhoto("Colin_Powell", 1));
        var aligned = SharedPipelines.FaceNet.DetectAndAlign(photo.Image)[0];
        var mirrored = aligned with { Image = ImageWarp.MirrorHorizontally(aligned.Image) };

        var vectors = embedder.Embed([aligned, mirrored]);

        Assert.True(VectorMath.Distance(vectors[0], vectors[1]) < 1e-4f);
        Assert.True(VectorMath.Distance(vectors[0], SharedPipelines.FaceNet.Embed(photo)[0].Embedding) < 0.6f, "close to the plain embedding");
    }

    [Fact]
    public void mirroring_twice_gives_back_the_image()
    {
        var pixels = Enumerable.Range(0, 5 * 3 * 3).Select(i => (byte)i).ToArray();
        var image = new RgbImage(5, 3, pixels);

        var once = ImageWarp.MirrorHorizontally(image);

        Assert.Equal(pixels.AsSpan(12, 3).ToArray(), once.Pixels.AsSpan(0, 3).ToArray());
        Assert.Equal(pixels, ImageWarp.MirrorHorizontally(once).Pixels);
    }
}

public class EmbeddingBatchTests
{
    [Fact]
    public void faces_embedded_in_one_batch_get_the_vectors_they_get_one_at_a_time()
    {
        using var embedder = new Rvs.Embedding.MobileFaceNetEmbedder(Rvs.Models.ModelFiles.FaceModel(Rvs.Models.ModelFiles.MobileFaceNet), addMirror: true);
        var faces = new[] { ("Colin_Powell", 1), ("Tony_Blair", 1), ("George_W_Bush", 2) }
            .Select(p => SharedPipelines.FaceNet.DetectAndAlign(ImageDecoder.DecodeFile(TestData.LfwPhoto(p.Item1, p.Item2)).Image)[0])
            .ToList();

        var batch = embedder.Embed(faces);

        for (var i = 0; i < faces.Count; i++)
        {
            var alone = embedder.Embed([faces[i]])[0];
            Assert.True(VectorMath.Distance(batch[i], alone) < 1e-5f, $"face {i} moved by {VectorMath.Distance(batch[i], alone)}");
        }

        Assert.True(VectorMath.Distance(batch[0], batch[1]) > 0.5f, "different people got near-identical vectors");
    }
}
