using Microsoft.Data.Sqlite;
using Rvs.Catalog;
using Rvs.People;
using Rvs.Testing;
using Rvs.Tests.Catalog;
using SkiaSharp;

namespace Rvs.Tests.People;

/// <summary>
/// Persons in a real catalog built by the band pipeline (one face per flat-colour band, embedding a function of the
/// colour): shades of one colour are one person, different colours different persons.
/// </summary>
public sealed class PeopleStoreTests : IDisposable
{
    // Shades 3/255 apart lie ~0.01 apart; the base colours below lie over 0.3 apart.
    private static readonly ClusteringOptions Options = new(LinkDistance: 0.1f, MergeDistance: 0.2f, Neighbours: 8, Representatives: 4);

    private static readonly SKColor Red = new(200, 40, 40);
    private static readonly SKColor Green = new(40, 200, 40);
    private static readonly SKColor Blue = new(40, 40, 200);

    private readonly CatalogScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private static SKColor Shade(SKColor colour, int i) => new((byte)(colour.Red + 3 * i), (byte)(colour.Green + 3 * i), (byte)(colour.Blue + 3 * i));

    /// <summary>A photo of one face <paramref name="side"/> pixels square (the kit's bands are too small to found persons).</summary>
    private string Photo(string relativePath, SKColor colour, int side = 64)
    {
        var path = Path.Combine(_scratch.Photos, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(side, side);
        bitmap.Erase(colour);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    private void Index(bool labels = false)
    {
        var pipeline = new BandPipeline();
        using var collection = _scratch.Open(pipeline);
        new CollectionIndexer(collection).Run(_scratch.Photos, pipeline, new IndexingOptions { Workers = 1, LabelFromFolder = labels });
    }

    /// <summary>Removes every photo and indexes them again: same bytes, new face ids.</summary>
    private void Reindex()
    {
        var before = CatalogScratch.Scalar(_scratch.Collection, "SELECT max(id) FROM faces");
        using (var collection = _scratch.Open())
        {
            collection.Remove([_scratch.Photos]);
        }

        Assert.Equal(0, CatalogScratch.Scalar(_scratch.Collection, "SELECT count(*) FROM faces"));
        Index();
        Assert.True(CatalogScratch.Scalar(_scratch.Collection, "SELECT min(id) FROM faces") > before, "re-indexing should create new face ids");
    }

    private PeopleStore Store() => PeopleStore.ForCollection(_scratch.Collection);

    /// <summary>An index of every embedding in the catalog, standing in for the collection's own.</summary>
    private BruteForceIndex CollectionIndex()
    {
        var index = new BruteForceIndex(8);
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_scratch.Collection, "catalog.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT face_id, vector FROM embeddings";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            index.Add([reader.GetInt64(0)], System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>((byte[])reader.GetValue(1)));
        }

        return index;
    }

    /// <summary>Photos r0..r{n-1} (red shades) and g0..g{n-1} (green shades), indexed and clustered.</summary>
    private PeopleStore RedAndGreen(int each = 3)
    {
        for (var i = 0; i < each; i++)
        {
            Photo($"r{i}.png", Shade(Red, i));
            Photo($"g{i}.png", Shade(Green, i));
        }

        Index();
        var store = Store();
        store.Recluster(Options);
        return store;
    }

    private static long PersonWith(PeopleStore store, string fileName) =>
        store.All().Single(p => p.Faces.Any(f => Path.GetFileName(f.Path) == fileName)).PersonId;

    private static string[] Files(PeopleStore store, long person) =>
        [.. store.Get(person)!.Faces.Select(f => Path.GetFileName(f.Path)).Order(StringComparer.Ordinal)];

    [Fact]
    public void faces_are_grouped_into_persons_named_after_their_folders()
    {
        for (var i = 0; i < 3; i++)
        {
            Photo($"Alice/a{i}.png", Shade(Red, i));
            Photo($"Bob/b{i}.png", Shade(Green, i));
        }

        Index(labels: true);
        var summary = Store().Recluster(Options);

        var persons = Store().List();
        Assert.Equal(2, summary.Persons);
        Assert.Equal(["Alice", "Bob"], persons.Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.All(persons, p => Assert.Equal(3, p.FaceCount));
    }

    [Fact]
    public void a_name_survives_reclustering_and_reindexing()
    {
        var store = RedAndGreen();
        store.Name(PersonWith(store, "r0.png"), "Rita");

        store.Recluster(Options);
        Reindex();
        store.Recluster(Options);

        Assert.Equal(["r0.png", "r1.png", "r2.png"], Files(store, store.List().Single(p => p.Name == "Rita").PersonId));
    }

    [Fact]
    public void a_merge_survives_reclustering_and_reindexing()
    {
        var store = RedAndGreen();
        var kept = store.Merge(PersonWith(store, "r0.png"), PersonWith(store, "g0.png"));

        store.Recluster(Options);
        Assert.Equal(6, Assert.Single(store.List()).FaceCount);
        Reindex();
        store.Recluster(Options);

        var only = Assert.Single(store.List());
        Assert.Equal(kept, only.PersonId);
        Assert.Equal(6, only.FaceCount);
    }

    [Fact]
    public void a_split_survives_reclustering_and_reindexing()
    {
        var store = RedAndGreen(each: 4);
        var red = PersonWith(store, "r0.png");
        var moved = store.Get(red)!.Faces.Where(f => Path.GetFileName(f.Path) is "r2.png" or "r3.png").Select(f => f.FaceId).ToArray();

        var split = store.Split(red, moved);
        store.Recluster(Options);
        Reindex();
        store.Recluster(Options);

        Assert.Equal(["r0.png", "r1.png"], Files(store, PersonWith(store, "r0.png")));
        Assert.Equal(["r2.png", "r3.png"], Files(store, PersonWith(store, "r2.png")));
        Assert.Equal(split, PersonWith(store, "r2.png"));
        Assert.Equal(3, store.List().Count);
    }

    [Fact]
    public void not_this_person_survives_reclustering_and_reindexing()
    {
        var store = RedAndGreen();
        var red = PersonWith(store, "r0.png");
        var face = store.Get(red)!.Faces.Single(f => Path.GetFileName(f.Path) == "r2.png").FaceId;

        store.NotThisPerson(face, red);
        Assert.Equal(["r0.png", "r1.png"], Files(store, red));
        store.Recluster(Options);
        Assert.Equal(["r0.png", "r1.png"], Files(store, red));
        Reindex();
        store.Recluster(Options);

        Assert.Equal(["r0.png", "r1.png"], Files(store, PersonWith(store, "r0.png")));
        Assert.NotEqual(PersonWith(store, "r0.png"), PersonWith(store, "r2.png"));
    }

    [Fact]
    public void a_new_photo_joins_its_person_and_a_stranger_founds_one_without_reclustering()
    {
        var store = RedAndGreen();
        var red = PersonWith(store, "r0.png");
        store.Name(red, "Rita");

        Photo("r9.png", Shade(Red, 1));
        Photo("b0.png", Blue);
        Index();
        var summary = store.PlaceNewFaces(Options);

        Assert.Equal(1, summary.NewPersons);
        Assert.Equal(red, PersonWith(store, "r9.png"));
        Assert.Equal(4, store.Get(red)!.Faces.Count);
        Assert.Equal(3, store.List().Count);
    }

    [Fact]
    public void persons_of_search_hits_come_back_with_their_names_in_one_call()
    {
        var store = RedAndGreen();
        var red = PersonWith(store, "r0.png");
        store.Name(red, "Rita");
        var faces = store.All().SelectMany(p => p.Faces).Select(f => f.FaceId).ToList();

        var persons = store.PersonsOf([.. faces, 999]);

        Assert.Equal(6, persons.Count);
        Assert.Equal(3, persons.Values.Count(p => p.PersonId == red && p.Name == "Rita"));
        Assert.False(persons.ContainsKey(999));
    }

    [Fact]
    public void placing_with_the_collections_own_index_reads_only_the_embeddings_it_needs_and_places_the_same()
    {
        var store = RedAndGreen();
        var red = PersonWith(store, "r0.png");
        Photo("r9.png", Shade(Red, 1));
        Photo("b0.png", Blue);
        Index();
        using var index = CollectionIndex();

        var summary = store.PlaceNewFaces(Options, index);

        Assert.Equal(1, summary.NewPersons);
        Assert.Equal(red, PersonWith(store, "r9.png"));
        Assert.Equal(3, store.List().Count);
    }

    [Fact]
    public void placing_the_faces_after_a_face_id_leaves_older_loose_faces_unless_a_new_face_founds_their_person()
    {
        var store = RedAndGreen();
        var red = PersonWith(store, "r0.png");
        Photo("b-small.png", Blue, side: 24);
        Index();
        Assert.Equal(1, store.PlaceNewFaces(Options).Unassigned);
        var last = store.LastFaceId();
        Photo("r9.png", Shade(Red, 4));
        Photo("b0.png", Shade(Blue, 1));
        Index();
        using var index = CollectionIndex();

        var summary = store.PlaceNewFaces(Options, (vector, k) => index.Search(vector, k), last);

        Assert.Equal((2, 1, 0), (summary.Faces, summary.NewPersons, summary.Unassigned));
        Assert.Equal(red, PersonWith(store, "r9.png"));
        Assert.Equal(["b-small.png", "b0.png"], Files(store, PersonWith(store, "b0.png")));
        Assert.Equal(0, store.PlaceNewFaces(Options, (vector, k) => index.Search(vector, k), store.LastFaceId()).Faces);
    }

    [Fact]
    public void small_faces_join_a_person_but_alone_found_none()
    {
        Photo("r0.png", Red);
        Photo("r1.png", Shade(Red, 1));
        Photo("r-small.png", Shade(Red, 2), side: 24);
        Photo("b-small.png", Blue, side: 24);
        Index();

        var summary = Store().Recluster(Options);

        Assert.Equal(1, summary.Unassigned);
        Assert.Equal(["r-small.png", "r0.png", "r1.png"], Files(Store(), Assert.Single(Store().List()).PersonId));
    }

    [Fact]
    public void corrections_naming_unknown_persons_or_faces_are_refused_with_a_clear_message()
    {
        var store = RedAndGreen();

        Assert.Contains("no person 999", Assert.ThrowsAny<Rvs.Errors.RvsException>(() => store.Name(999, "x")).Message, StringComparison.Ordinal);
        Assert.Contains("no face 999", Assert.ThrowsAny<Rvs.Errors.RvsException>(() => store.NotThisPerson(999, PersonWith(store, "r0.png"))).Message, StringComparison.Ordinal);
        var green = store.Get(PersonWith(store, "g0.png"))!.Faces[0].FaceId;
        Assert.Contains("is not in person", Assert.ThrowsAny<Rvs.Errors.RvsException>(() => store.Split(PersonWith(store, "r0.png"), [green])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void a_version_1_catalog_gets_the_person_tables_when_opened()
    {
        Photo("r0.png", Red);
        Index();
        CatalogScratch.RollBackTo(_scratch.Collection, 1);

        using (_scratch.Open())
        {
        }

        Assert.Equal(CatalogMigrations.Latest, FaceCollection.ReadSettings(_scratch.Collection).SchemaVersion);
        Assert.Equal(CatalogMigrations.Latest, CatalogScratch.Scalar(_scratch.Collection, "PRAGMA user_version"));
        Assert.Equal(0, CatalogScratch.Scalar(_scratch.Collection, "SELECT count(*) FROM persons"));
    }
}
