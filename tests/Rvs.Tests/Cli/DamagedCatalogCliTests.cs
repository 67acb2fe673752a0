using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Rvs.Tests.Support;

namespace Rvs.Tests.Cli;

/// <summary>A collection of two LFW photos, indexed once through the CLI, that each damage test copies.</summary>
public sealed class IndexedCollectionFixture : IDisposable
{
    public IndexedCollectionFixture()
    {
        Directory.CreateDirectory(Photos);
        File.Copy(TestData.LfwPhoto("Tony_Blair", 1), Path.Combine(Photos, "blair.jpg"));
        File.Copy(TestData.LfwPhoto("Colin_Powell", 1), Path.Combine(Photos, "powell.jpg"));
        var run = CliRunner.Run("index", Photos, "--collection", Collection);
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"indexing the reference collection failed ({run.ExitCode}): {run.Stderr}");
        }

        SqliteConnection.ClearAllPools();
    }

    public string Root { get; } = Directory.CreateTempSubdirectory("rvs-damaged-catalog-").FullName;

    public string Photos => Path.Combine(Root, "photos");

    public string Collection => Path.Combine(Root, "reference");

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

/// <summary>
/// Thirteen kinds of damage to catalog.db, each through the real CLI (`stats`, `search`, `index`): every command
/// exits 1 with one line that says what is wrong and what to do, no stack trace, and the catalog's bytes unchanged.
/// </summary>
public sealed class DamagedCatalogCliTests(IndexedCollectionFixture fixture) : IClassFixture<IndexedCollectionFixture>
{
    public static TheoryData<string> Damages() =>
    [
        "truncated", "zeroed header", "random bytes in a table's pages", "random bytes throughout", "missing setting",
        "missing table", "wrong column type", "non-numeric generation", "write-ahead log of another database",
        "empty file", "directory named catalog.db", "newer catalog version", "unknown photo status",
    ];

    [Theory]
    [MemberData(nameof(Damages))]
    public void a_damaged_catalog_gets_one_clear_line_exit_code_1_and_is_left_unchanged(string damage)
    {
        var collection = Path.Combine(fixture.Root, "damaged-" + damage.Replace(' ', '-'));
        Directory.CreateDirectory(collection);
        var catalog = Path.Combine(collection, "catalog.db");
        Assert.False(File.Exists(Path.Combine(fixture.Collection, "catalog.db-wal")), "the reference catalog should be checkpointed");
        File.Copy(Path.Combine(fixture.Collection, "catalog.db"), catalog);
        Damage(damage, catalog);
        SqliteConnection.ClearAllPools();
        var before = Fingerprint(catalog);

        foreach (var args in new[]
        {
            new[] { "stats", "--collection", collection },
            ["search", Path.Combine(fixture.Photos, "blair.jpg"), "--collection", collection],
            ["index", fixture.Photos, "--collection", collection],
        })
        {
            var run = CliRunner.Run(args);
            var said = run.Stderr.Trim();
            Assert.True(run.ExitCode == 1, $"{args[0]} on a catalog with {damage} exited {run.ExitCode}: {run.Stderr}");
            Assert.DoesNotContain('\n', said);
            Assert.StartsWith("rvs: ", said, StringComparison.Ordinal);
            Assert.DoesNotContain("at Rvs.", said, StringComparison.Ordinal);
            Assert.DoesNotContain("internal error", said, StringComparison.Ordinal);
            Assert.Contains(damage == "newer catalog version" ? "Use a newer rvs" : "is damaged", said, StringComparison.Ordinal);
            Assert.Contains("nothing was changed", said, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(before, Fingerprint(catalog));
        }
    }

    private static void Damage(string damage, string catalog)
    {
        switch (damage)
        {
            case "truncated":
                using (var file = File.OpenWrite(catalog))
                {
                    file.SetLength(file.Length / 2);
                }

                break;
            case "zeroed header":
                Overwrite(catalog, 0, new byte[100]);
                break;
            case "random bytes in a table's pages":
                // Every reader goes through the embeddings, so every command meets the damage.
                var page = Scalar(catalog, "PRAGMA page_size");
                Overwrite(catalog, (Scalar(catalog, "SELECT rootpage FROM sqlite_master WHERE name = 'embeddings'") - 1) * page, RandomNumberGenerator.GetBytes((int)page));
                break;
            case "random bytes throughout":
                File.WriteAllBytes(catalog, RandomNumberGenerator.GetBytes((int)new FileInfo(catalog).Length));
                break;
            case "missing setting":
                Execute(catalog, "DELETE FROM settings WHERE key = 'dimensions'");
                break;
            case "missing table":
                Execute(catalog, "DROP TABLE faces");
                break;
            case "wrong column type":
                Execute(catalog, """
                    CREATE TABLE vectors (face_id INTEGER PRIMARY KEY, model_id TEXT NOT NULL, vector TEXT NOT NULL);
                    INSERT INTO vectors SELECT face_id, model_id, hex(vector) FROM embeddings;
                    DROP TABLE embeddings; ALTER TABLE vectors RENAME TO embeddings;
                    """);
                break;
            case "non-numeric generation":
                Execute(catalog, "UPDATE settings SET value = 'many' WHERE key = 'generation'");
                break;
            case "write-ahead log of another database":
                WriteForeignLog(catalog);
                break;
            case "empty file":
                File.WriteAllBytes(catalog, []);
                break;
            case "directory named catalog.db":
                File.Delete(catalog);
                Directory.CreateDirectory(catalog);
                break;
            case "newer catalog version":
                Execute(catalog, "UPDATE settings SET value = '99' WHERE key = 'schema_version'; PRAGMA user_version = 99;");
                break;
            case "unknown photo status":
                Execute(catalog, "PRAGMA ignore_check_constraints = ON; UPDATE images SET status = 'misplaced' WHERE id = (SELECT min(id) FROM images);");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(damage), damage, "no such damage");
        }
    }

    // A log full of another database's committed pages, put beside the catalog as if it were the catalog's own.
    private static void WriteForeignLog(string catalog)
    {
        var other = Path.Combine(Path.GetDirectoryName(catalog)!, "other.db");
        using (var connection = new SqliteConnection($"Data Source={other};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
                CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('not a catalog'), ('at all');
                """;
            command.ExecuteNonQuery();
            File.Copy(other + "-wal", catalog + "-wal");
        }
    }

    private static string Fingerprint(string catalog) =>
        Directory.Exists(catalog)
            ? "directory: " + string.Join(",", Directory.EnumerateFileSystemEntries(catalog))
            : Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(catalog)));

    private static void Overwrite(string path, long offset, byte[] bytes)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        file.Position = offset;
        file.Write(bytes);
    }

    private static void Execute(string catalog, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={catalog};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static long Scalar(string catalog, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={catalog};Pooling=False;Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
