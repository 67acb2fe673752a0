using Rvs.Evaluation;

namespace Rvs.Tests.Evaluation;

public class OpenSetGalleryTests
{
    /// <summary>Unit vectors at angles (degrees); the L2 distance of angles a and b is 2·sin(|a − b|/2).</summary>
    private static EmbeddingSet Set(params (string Key, double Degrees)[] images) => new(
        [.. images.Select(i => i.Key)],
        [.. images.SelectMany(i => new[] { (float)Math.Cos(i.Degrees * Math.PI / 180), (float)Math.Sin(i.Degrees * Math.PI / 180) })],
        2,
        new bool[images.Length],
        0);

    private static double Chord(double degrees) => 2 * Math.Sin(degrees * Math.PI / 360);

    [Fact]
    public void the_gallery_holds_people_with_two_or_more_images_and_a_one_photo_person_is_a_stranger()
    {
        var gallery = new OpenSetGallery(Set(("A/1", 0), ("A/2", 10), ("B/1", 90), ("B/2", 95), ("C/1", 92)));

        Assert.Equal(4, gallery.FullGallery.Count);
        var results = gallery.Search(gallery.FullGallery, [0, 1, 2, 3, 4]);

        // A/1's nearest other image is A/2 (10°); B/1's is B/2 (5°), as C, at 2°, is not in the gallery.
        Assert.Equal(Rounded(new OpenSetQuery(Chord(10), true, true)), Rounded(results[0]));
        Assert.Equal(Rounded(new OpenSetQuery(Chord(5), true, true)), Rounded(results[2]));

        // C (one photo) is not in the gallery: a stranger whose nearest face is B/1 at 2°.
        Assert.Equal(Rounded(new OpenSetQuery(Chord(2), false, false)), Rounded(results[4]));
    }

    [Fact]
    public void a_cut_gallery_keeps_people_together_and_whoever_lost_all_other_images_becomes_a_stranger()
    {
        var gallery = new OpenSetGallery(Set(("A/1", 0), ("A/2", 10), ("B/1", 90), ("B/2", 95)));

        var first = gallery.Cut(2);
        var person = gallery.Labels[first[0]];
        Assert.All(first, row => Assert.Equal(person, gallery.Labels[row]));

        // A cut to one image: its own person is only mated from the other image outside the gallery.
        var one = gallery.Cut(1);
        var inside = one[0];
        var outside = Enumerable.Range(0, 4).Single(r => r != inside && gallery.Labels[r] == gallery.Labels[inside]);
        var other = Enumerable.Range(0, 4).First(r => gallery.Labels[r] != gallery.Labels[inside]);
        var results = gallery.Search(one, [outside, other]);
        Assert.True(results[0].Mated);
        Assert.True(results[0].TopIsMate);
        Assert.False(results[1].Mated);
    }

    [Fact]
    public void a_query_searched_against_a_gallery_of_only_itself_is_never_a_match()
    {
        var gallery = new OpenSetGallery(Set(("A/1", 0), ("A/2", 10), ("B/1", 90)));
        var only = gallery.Cut(1);

        var result = gallery.Search(only, only).Single();

        Assert.False(result.Mated);
        Assert.Equal(0, OpenSetMetrics.At([result], 2.0).Fpir);
    }

    [Fact]
    public void the_split_of_people_is_fixed_by_a_hash_of_the_name_and_halves_the_people()
    {
        // SHA-256 of the UTF-8 name starts with 0x68 (George_W_Bush), 0xc2 (Colin_Powell), 0x41 (Tony_Blair).
        Assert.True(OpenSetGallery.IsCalibrationPerson("George_W_Bush"));
        Assert.True(OpenSetGallery.IsCalibrationPerson("Colin_Powell"));
        Assert.False(OpenSetGallery.IsCalibrationPerson("Tony_Blair"));

        var names = Enumerable.Range(0, 1000).Select(i => $"Person_{i}").ToArray();
        var calibration = names.Count(OpenSetGallery.IsCalibrationPerson);

        Assert.InRange(calibration, 420, 580);
    }

    private static OpenSetQuery Rounded(OpenSetQuery q) => q with { TopDistance = Math.Round(q.TopDistance, 5) };
}
