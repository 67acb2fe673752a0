using Rvs.Catalog;
using SkiaSharp;

namespace Rvs.Tests.Catalog;

public sealed class FaceLabellerTests : IDisposable
{
    private readonly CatalogScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private static float[] Unit(params float[] v)
    {
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return [.. v.Select(x => x / norm)];
    }

    [Fact]
    public void a_label_with_one_group_photo_goes_to_its_largest_face()
    {
        FaceLabeller.Candidate[] faces = [new(1, 10, 400, Unit(1, 0)), new(1, 11, 900, Unit(0, 1))];

        Assert.Equal([11L], FaceLabeller.Choose(faces, samePersonDistance: 1f));
    }

    [Fact]
    public void in_a_group_photo_the_face_like_the_labels_portraits_gets_it_even_when_it_is_smaller()
    {
        FaceLabeller.Candidate[] faces =
        [
            new(1, 10, 100, Unit(1, 0, 0)),
            new(2, 20, 100, Unit(1, 0.1f, 0)),
            new(3, 30, 900, Unit(0, 0, 1)),    // a bystander, largest in the group photo
            new(3, 31, 200, Unit(1, 0.05f, 0)),
        ];

        Assert.Equal([10L, 20L, 31L], FaceLabeller.Choose(faces, samePersonDistance: 1f).Order());
    }

    [Fact]
    public void a_group_photo_where_no_face_is_the_person_labels_none_of_them()
    {
        FaceLabeller.Candidate[] faces =
        [
            new(1, 10, 100, Unit(1, 0, 0)),
            new(2, 20, 900, Unit(0, 1, 0)),
            new(2, 21, 200, Unit(0, 0, 1)),
        ];

        Assert.Equal([10L], FaceLabeller.Choose(faces, samePersonDistance: 1f));
    }

    [Fact]
    public void with_only_group_photos_the_face_they_share_gets_the_label()
    {
        FaceLabeller.Candidate[] faces =
        [
            new(1, 10, 900, Unit(0, 1, 0)),
            new(1, 11, 100, Unit(1, 0, 0)),
            new(2, 20, 900, Unit(0, 0, 1)),
            new(2, 21, 100, Unit(1, 0.1f, 0)),
        ];

        Assert.Equal([11L, 21L], FaceLabeller.Choose(faces, samePersonDistance: 1f).Order());
    }

    [Fact]
    public void indexing_with_folder_labels_leaves_the_bystanders_of_a_group_photo_unlabelled()
    {
        var person = SKColors.Red;
        var bystander = SKColors.Blue;
        _scratch.Photo("Ann/portrait.png", person);
        _scratch.Photo("Ann/group.png", bystander, new SKColor(250, 5, 0));
        var pipeline = new BandPipeline();
        using var collection = _scratch.Open(pipeline);

        new CollectionIndexer(collection).Run(_scratch.Photos, pipeline, new IndexingOptions { LabelFromFolder = true, SamePersonDistance = 0.5f });

        var group = collection.FindImage(Path.Combine(_scratch.Photos, "Ann", "group.png"))!;
        var faces = collection.GetFaces(group.ImageId);
        Assert.Equal("Ann", group.Label);
        Assert.Equal(2, faces.Count);
        Assert.Single(faces, f => f.Label == "Ann");
        // The second band is the near-red face like the portrait; the blue one is the bystander.
        Assert.Equal(CatalogScratch.BandRows, faces.Single(f => f.Label == "Ann").Box.Y);
    }
}
