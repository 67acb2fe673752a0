using System.Numerics.Tensors;
using Rvs.Catalog;
using Rvs.Imaging;
using Rvs.Tests.Catalog;
using Rvs.Tests.Support;

namespace Rvs.Tests.Imaging;

/// <summary>HEIC and AVIF photos made at test time from LFW with heif-enc, decoded through Magick.NET.</summary>
public sealed class HeifDecodingTests : IDisposable
{
    private readonly CatalogScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [HeifEncoderFact]
    public void heic_and_avif_photos_decode_upright_with_the_face_the_jpeg_has()
    {
        var jpeg = TestData.LfwPhoto("Aaron_Eckhart", 1);
        var expected = SharedPipelines.FaceNet.Embed(ImageDecoder.DecodeFile(jpeg))[0].Embedding;
        foreach (var extension in new[] { ".heic", ".avif" })
        {
            var path = Path.Combine(_scratch.Root, "aaron" + extension);
            HeifEncoder.Encode(jpeg, path);

            var photo = ImageDecoder.DecodeFile(path);

            Assert.Equal((250, 250), (photo.Image.Width, photo.Image.Height));
            var face = Assert.Single(SharedPipelines.FaceNet.Embed(photo));
            Assert.True(TensorPrimitives.Dot(face.Embedding, expected) > 0.8f, $"{extension}: the face embeds unlike the JPEG's");
        }
    }

    [HeifEncoderFact]
    public void heic_and_avif_photos_are_indexed_and_found_by_search()
    {
        HeifEncoder.Encode(TestData.LfwPhoto("Tony_Blair", 1), Path.Combine(_scratch.Photos, "tony.heic"));
        HeifEncoder.Encode(TestData.LfwPhoto("Colin_Powell", 1), Path.Combine(_scratch.Photos, "colin.avif"));
        var pipeline = SharedPipelines.FaceNet;
        using var collection = _scratch.Open(pipeline);

        var summary = new CollectionIndexer(collection).Run(_scratch.Photos, pipeline, new IndexingOptions());

        Assert.Equal(2, summary.Indexed);
        foreach (var (person, name) in new[] { ("Tony_Blair", "tony.heic"), ("Colin_Powell", "colin.avif") })
        {
            var query = pipeline.Embed(ImageDecoder.DecodeFile(TestData.LfwPhoto(person, 2)))[0].Embedding;
            var hit = collection.Search(query, 1)[0];
            Assert.EndsWith(name, collection.GetImage(hit.ImageId)!.Path, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void a_heif_header_with_a_damaged_body_gives_a_clear_error()
    {
        var bytes = "\0\0\0\u0018ftypheic\0\0\0\0mif1heic and then nothing useful"u8.ToArray();

        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(bytes));

        Assert.StartsWith("the HEIF/AVIF image could not be decoded", error.Message, StringComparison.Ordinal);
    }
}
