using Rvs.Evaluation;

namespace Rvs.Tests.Evaluation;

public class LfwPairsTests
{
    private const string RealPairs = "../../../../../../shared/data/pairs.txt";

    private static string? FindRealPairs()
    {
        // The shared data lives beside the repository (../shared/data); tests run from bin/<config>/<tfm>.
        var path = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, RealPairs));
        return File.Exists(path) ? path : null;
    }

    [Fact]
    public void same_and_different_lines_become_image_keys_in_their_fold()
    {
        const string text = "2\t2\nAlice\t1\t2\nBob_Smith\t3\t12\nAlice\t1\tBob_Smith\t3\nCarol\t2\tDan\t1\n"
            + "Carol\t1\t2\nDan\t1\t3\nAlice\t2\tCarol\t1\nBob_Smith\t12\tDan\t3\n";

        var pairs = LfwPairs.Parse(new StringReader(text));

        Assert.Equal(2, pairs.Folds);
        Assert.Equal(2, pairs.PairsPerHalf);
        Assert.Equal(8, pairs.Pairs.Count);
        Assert.Equal(new LfwPair("Alice/Alice_0001.jpg", "Alice/Alice_0002.jpg", true, 0), pairs.Pairs[0]);
        Assert.Equal(new LfwPair("Bob_Smith/Bob_Smith_0003.jpg", "Bob_Smith/Bob_Smith_0012.jpg", true, 0), pairs.Pairs[1]);
        Assert.Equal(new LfwPair("Alice/Alice_0001.jpg", "Bob_Smith/Bob_Smith_0003.jpg", false, 0), pairs.Pairs[2]);
        Assert.Equal(new LfwPair("Carol/Carol_0001.jpg", "Carol/Carol_0002.jpg", true, 1), pairs.Pairs[4]);
        Assert.Equal(new LfwPair("Bob_Smith/Bob_Smith_0012.jpg", "Dan/Dan_0003.jpg", false, 1), pairs.Pairs[7]);
    }

    [Fact]
    public void space_separated_copies_parse_like_the_tab_separated_original()
    {
        var pairs = LfwPairs.Parse(new StringReader("1 1\nAlice 1 2\nAlice 1 Bob 1\n"));

        Assert.Equal(2, pairs.Pairs.Count);
        Assert.False(pairs.Pairs[1].Same);
    }

    [Fact]
    public void a_different_pair_where_a_same_pair_belongs_names_its_line()
    {
        var error = Assert.Throws<FormatException>(() => LfwPairs.Parse(new StringReader("1\t1\nAlice\t1\tBob\t1\nAlice\t1\tBob\t1\n")));

        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void a_file_shorter_than_its_header_promises_is_refused()
    {
        Assert.Throws<FormatException>(() => LfwPairs.Parse(new StringReader("2\t1\nAlice\t1\t2\n")));
    }

    [Theory]
    [InlineData("lfw/Aaron_Eckhart/Aaron_Eckhart_0001.jpg", "Aaron_Eckhart/Aaron_Eckhart_0001.jpg")]
    [InlineData("Aaron_Eckhart/Aaron_Eckhart_0001.jpg", "Aaron_Eckhart/Aaron_Eckhart_0001.jpg")]
    [InlineData("x/y/lfw/Zico/Zico_0003.jpg", "Zico/Zico_0003.jpg")]
    [InlineData("loose.jpg", "loose.jpg")]
    public void a_photo_path_maps_to_the_key_that_pairs_txt_names(string path, string key)
    {
        Assert.Equal(key, LfwPairs.KeyOfPath(path));
    }

    [Fact]
    public void the_real_pairs_file_has_6000_pairs_in_10_folds_half_of_them_same_person()
    {
        var path = FindRealPairs();
        if (path is null)
        {
            return; // The shared LFW data is not on this machine.
        }

        var pairs = LfwPairs.Load(path);

        Assert.Equal(10, pairs.Folds);
        Assert.Equal(6000, pairs.Pairs.Count);
        Assert.Equal(3000, pairs.Pairs.Count(p => p.Same));
        Assert.All(pairs.Pairs.GroupBy(p => p.Fold), fold =>
        {
            Assert.Equal(600, fold.Count());
            Assert.Equal(300, fold.Count(p => p.Same));
        });
        Assert.Equal(new LfwPair("Abel_Pacheco/Abel_Pacheco_0001.jpg", "Abel_Pacheco/Abel_Pacheco_0004.jpg", true, 0), pairs.Pairs[0]);
    }
}
