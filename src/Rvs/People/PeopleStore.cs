using System.Drawing;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Rvs.Errors;
using Rvs.Catalog;

namespace Rvs.People;

/// <summary>
/// The persons of one collection, kept in its catalog.db (tables of <see cref="PeopleSchema"/>): listing, names and
/// the user's corrections. Corrections are stored as pins ("this face is this person") and exclusions ("this face is
/// not this person") keyed by <see cref="FaceKey"/>, so they survive re-clustering and re-indexing. Clustering runs
/// are in PeopleStore.Clustering.cs. Each call takes its own connection, so one store may serve several threads.
/// </summary>
public sealed partial class PeopleStore
{
    private readonly Func<SqliteConnection> _connect;

    /// <param name="connect">Opens a connection to the catalog (with foreign keys on); the store disposes it.</param>
    /// <param name="readOnly">The connections only read: the tables are not created, they must be there.</param>
    public PeopleStore(Func<SqliteConnection> connect, bool readOnly = false)
    {
        ArgumentNullException.ThrowIfNull(connect);
        _connect = connect;
        if (!readOnly)
        {
            using var connection = _connect();
            CatalogSchema.Execute(connection, PeopleSchema.Ddl);
        }
    }

    /// <summary>
    /// The store of the collection in <paramref name="collectionDirectory"/> (which must exist), its catalog checked
    /// first (a damaged one is refused, untouched). <paramref name="readOnly"/> for listing: it then works on a
    /// collection this user may not write, and never writes.
    /// </summary>
    public static PeopleStore ForCollection(string collectionDirectory, bool readOnly = false)
    {
        if (!CatalogDatabase.Exists(collectionDirectory))
        {
            throw new DirectoryNotFoundException($"no collection at '{collectionDirectory}'; create one with `rvs index <photos> --collection {collectionDirectory}`");
        }

        string connectionString;
        using (var database = CatalogDatabase.OpenExisting(collectionDirectory, readOnly))
        {
            if (readOnly && database.NeedsUpgrade)
            {
                throw CatalogDatabase.NeedsUpgradeError(database.Directory);
            }

            connectionString = database.ConnectionString;
        }

        return new PeopleStore(() => CatalogSchema.Open(connectionString), readOnly);
    }

    // The faces present in the catalog now, joined to their person rows through the stable key.
    private const string CurrentFaces = """
        FROM person_faces pf
        JOIN images i ON i.content_hash = pf.content_hash
        JOIN faces f ON f.image_id = i.id AND f.ordinal = pf.ordinal
        """;

    /// <summary>Every person with at least one face in the collection, most faces first.</summary>
    public IReadOnlyList<PersonSummary> List() => ListPage(0, int.MaxValue).Persons;

    /// <summary>
    /// One page of <see cref="List"/>: <paramref name="limit"/> persons from <paramref name="offset"/> on, and how
    /// many persons there are in all.
    /// </summary>
    public (int Total, IReadOnlyList<PersonSummary> Persons) ListPage(int offset, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        using var connection = _connect();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT p.id, p.name, count(f.id), count(DISTINCT i.id), min(f.id), count(*) OVER ()
            {CurrentFaces} JOIN persons p ON p.id = pf.person_id
            GROUP BY p.id ORDER BY count(f.id) DESC, p.id
            LIMIT $limit OFFSET $offset
            """;
        command.Parameters.AddWithValue("$limit", limit);
        command.Parameters.AddWithValue("$offset", offset);
        using var reader = command.ExecuteReader();
        var persons = new List<PersonSummary>();
        var total = 0;
        while (reader.Read())
        {
            persons.Add(new PersonSummary(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt64(4)));
            total = reader.GetInt32(5);
        }

        if (persons.Count == 0 && offset > 0)
        {
            total = ListPage(0, 1).Total;
        }

        return (total, persons);
    }

    /// <summary>Every person with at least one face, with all its faces, most faces first, in one query.</summary>
    public IReadOnlyList<PersonDetail> All()
    {
        using var connection = _connect();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT p.id, p.name, f.id, i.id, i.path, f.x, f.y, f.w, f.h, pf.pinned {CurrentFaces} JOIN persons p ON p.id = pf.person_id ORDER BY p.id, f.id";
        using var reader = command.ExecuteReader();
        var persons = new List<PersonDetail>();
        while (reader.Read())
        {
            var id = reader.GetInt64(0);
            if (persons.Count == 0 || persons[^1].PersonId != id)
            {
                persons.Add(new PersonDetail(id, reader.IsDBNull(1) ? null : reader.GetString(1), new List<PersonFace>()));
            }

            ((List<PersonFace>)persons[^1].Faces).Add(ReadFace(reader, 2));
        }

        return [.. persons.OrderByDescending(p => p.Faces.Count).ThenBy(p => p.PersonId)];
    }

    /// <summary>A person and all its current faces (by face id), or null when there is no such person.</summary>
    public PersonDetail? Get(long personId)
    {
        using var connection = _connect();
        var name = PersonName(connection, null, personId, out var exists);
        if (!exists)
        {
            return null;
        }

        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT f.id, i.id, i.path, f.x, f.y, f.w, f.h, pf.pinned {CurrentFaces} WHERE pf.person_id = $p ORDER BY f.id";
        command.Parameters.AddWithValue("$p", personId);
        using var reader = command.ExecuteReader();
        var faces = new List<PersonFace>();
        while (reader.Read())
        {
            faces.Add(ReadFace(reader, 0));
        }

        return new PersonDetail(personId, name, faces);
    }

    /// <summary>The person a face is in, or null when it is in none.</summary>
    public long? PersonOf(long faceId)
    {
        using var connection = _connect();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT pf.person_id {CurrentFaces} WHERE f.id = $f";
        command.Parameters.AddWithValue("$f", faceId);
        return command.ExecuteScalar() is long person ? person : null;
    }

    /// <summary>
    /// The person and name of each of <paramref name="faceIds"/> that is in one (one query): what grouping search
    /// hits by person needs.
    /// </summary>
    public IReadOnlyDictionary<long, (long PersonId, string? Name)> PersonsOf(IEnumerable<long> faceIds)
    {
        ArgumentNullException.ThrowIfNull(faceIds);
        var ids = faceIds.Distinct().ToArray();
        var result = new Dictionary<long, (long, string?)>();
        if (ids.Length == 0)
        {
            return result;
        }

        using var connection = _connect();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT f.id, p.id, p.name {CurrentFaces} JOIN persons p ON p.id = pf.person_id WHERE f.id IN (SELECT value FROM json_each($ids))";
        command.Parameters.AddWithValue("$ids", System.Text.Json.JsonSerializer.Serialize(ids));
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            result[reader.GetInt64(0)] = (reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2));
        }

        return result;
    }

    /// <summary>How many faces of the collection each of <paramref name="personIds"/> holds now (one query).</summary>
    public IReadOnlyDictionary<long, int> FaceCounts(IEnumerable<long> personIds)
    {
        ArgumentNullException.ThrowIfNull(personIds);
        using var connection = _connect();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT pf.person_id, count(f.id) {CurrentFaces} WHERE pf.person_id IN (SELECT value FROM json_each($ids)) GROUP BY pf.person_id";
        command.Parameters.AddWithValue("$ids", System.Text.Json.JsonSerializer.Serialize(personIds.Distinct()));
        using var reader = command.ExecuteReader();
        var counts = new Dictionary<long, int>();
        while (reader.Read())
        {
            counts[reader.GetInt64(0)] = reader.GetInt32(1);
        }

        return counts;
    }

    /// <summary>Names a person (null or blank clears the name).</summary>
    public void Name(long personId, string? name)
    {
        using var connection = _connect();
        using var transaction = connection.BeginTransaction(deferred: false);
        RequirePerson(connection, transaction, personId);
        Run(connection, transaction, "UPDATE persons SET name = $n WHERE id = $p", ("$n", string.IsNullOrWhiteSpace(name) ? DBNull.Value : name.Trim()), ("$p", personId));
        transaction.Commit();
    }

    /// <summary>
    /// Makes <paramref name="from"/> part of <paramref name="into"/>: every face of both is pinned to it, so no
    /// re-cluster separates them; "not this person" marks of either apply to the result. Keeps a name if only
    /// <paramref name="from"/> had one. Returns the surviving person.
    /// </summary>
    public long Merge(long into, long from)
    {
        if (into == from)
        {
            throw new InvalidRequestException($"cannot merge person {into} with itself");
        }

        using var connection = _connect();
        using var transaction = connection.BeginTransaction(deferred: false);
        RequirePerson(connection, transaction, into);
        RequirePerson(connection, transaction, from);
        Run(connection, transaction, "UPDATE persons SET name = (SELECT name FROM persons WHERE id = $from) WHERE id = $into AND name IS NULL", ("$into", into), ("$from", from));
        Run(connection, transaction, "UPDATE person_faces SET person_id = $into, pinned = 1 WHERE person_id IN ($into, $from)", ("$into", into), ("$from", from));
        Run(connection, transaction, "INSERT OR IGNORE INTO person_exclusions SELECT content_hash, ordinal, $into FROM person_exclusions WHERE person_id = $from", ("$into", into), ("$from", from));
        Run(connection, transaction, "DELETE FROM persons WHERE id = $from", ("$from", from));
        transaction.Commit();
        return into;
    }

    /// <summary>
    /// Moves <paramref name="faceIds"/> out of <paramref name="personId"/> into a new person, and pins both sides,
    /// so re-clustering keeps them apart. Returns the new person.
    /// </summary>
    public long Split(long personId, IReadOnlyCollection<long> faceIds)
    {
        ArgumentNullException.ThrowIfNull(faceIds);
        if (faceIds.Count == 0)
        {
            throw new InvalidRequestException("name at least one face to split off");
        }

        using var connection = _connect();
        using var transaction = connection.BeginTransaction(deferred: false);
        RequirePerson(connection, transaction, personId);
        var keys = faceIds.Select(id => KeyOfFace(connection, transaction, id)).ToList();
        foreach (var (key, faceId) in keys.Zip(faceIds))
        {
            if (PersonOfKey(connection, transaction, key) != personId)
            {
                throw new InvalidRequestException($"face {faceId} is not in person {personId}");
            }
        }

        var created = NewPerson(connection, transaction, null);
        Run(connection, transaction, "UPDATE person_faces SET pinned = 1 WHERE person_id = $p", ("$p", personId));
        foreach (var key in keys)
        {
            Run(connection, transaction, "UPDATE person_faces SET person_id = $n WHERE content_hash = $h AND ordinal = $o", ("$n", created), ("$h", key.ContentHash), ("$o", key.Ordinal));
        }

        transaction.Commit();
        return created;
    }

    /// <summary>Records that a face is not a person and takes it out of that person; later clustering respects it.</summary>
    public void NotThisPerson(long faceId, long personId)
    {
        using var connection = _connect();
        using var transaction = connection.BeginTransaction(deferred: false);
        RequirePerson(connection, transaction, personId);
        var key = KeyOfFace(connection, transaction, faceId);
        Run(connection, transaction, "INSERT OR IGNORE INTO person_exclusions VALUES ($h, $o, $p)", ("$h", key.ContentHash), ("$o", key.Ordinal), ("$p", personId));
        Run(connection, transaction, "DELETE FROM person_faces WHERE content_hash = $h AND ordinal = $o AND person_id = $p", ("$h", key.ContentHash), ("$o", key.Ordinal), ("$p", personId));
        transaction.Commit();
    }

    /// <summary>Face id, image id, path, x, y, w, h, pinned from column <paramref name="first"/> on.</summary>
    private static PersonFace ReadFace(SqliteDataReader reader, int first)
    {
        var box = new RectangleF(reader.GetFloat(first + 3), reader.GetFloat(first + 4), reader.GetFloat(first + 5), reader.GetFloat(first + 6));
        return new PersonFace(reader.GetInt64(first), reader.GetInt64(first + 1), reader.GetString(first + 2), box, reader.GetInt64(first + 7) != 0);
    }

    private static FaceKey KeyOfFace(SqliteConnection connection, SqliteTransaction transaction, long faceId)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT i.content_hash, f.ordinal FROM faces f JOIN images i ON i.id = f.image_id WHERE f.id = $f";
        command.Parameters.AddWithValue("$f", faceId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? new FaceKey(reader.GetString(0), reader.GetInt32(1)) : throw new NotFoundException($"no face {faceId} in the collection");
    }

    private static long? PersonOfKey(SqliteConnection connection, SqliteTransaction transaction, FaceKey key)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT person_id FROM person_faces WHERE content_hash = $h AND ordinal = $o";
        command.Parameters.AddWithValue("$h", key.ContentHash);
        command.Parameters.AddWithValue("$o", key.Ordinal);
        return command.ExecuteScalar() is long person ? person : null;
    }

    private static string? PersonName(SqliteConnection connection, SqliteTransaction? transaction, long personId, out bool exists)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT name FROM persons WHERE id = $p";
        command.Parameters.AddWithValue("$p", personId);
        using var reader = command.ExecuteReader();
        exists = reader.Read();
        return exists && !reader.IsDBNull(0) ? reader.GetString(0) : null;
    }

    private static void RequirePerson(SqliteConnection connection, SqliteTransaction transaction, long personId)
    {
        PersonName(connection, transaction, personId, out var exists);
        if (!exists)
        {
            throw new NotFoundException($"no person {personId}; `rvs people` lists them");
        }
    }

    private static long NewPerson(SqliteConnection connection, SqliteTransaction transaction, string? name)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO persons (name, created_at) VALUES ($n, $t) RETURNING id";
        command.Parameters.AddWithValue("$n", (object?)name ?? DBNull.Value);
        command.Parameters.AddWithValue("$t", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        return (long)command.ExecuteScalar()!;
    }

    private static void Run(SqliteConnection connection, SqliteTransaction transaction, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }
}
