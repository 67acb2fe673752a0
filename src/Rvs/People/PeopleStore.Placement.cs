using System.Diagnostics;
using System.Drawing;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Rvs.Index;

namespace Rvs.People;

/// <summary>
/// Placing new faces among the persons as they stand. Only the rows near the new faces are read: their index
/// neighbours' person rows, the members of those persons (ids, for the representatives a decision samples and for a
/// merge to move), and the embeddings the decisions look at. So placing one photo costs what its faces cost, not
/// what the collection holds.
/// </summary>
public sealed partial class PeopleStore
{
    /// <summary>Whether any face of the collection is in a person, i.e. it has been clustered.</summary>
    public bool HasPersons()
    {
        using var connection = _connect();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM person_faces)";
        return (long)command.ExecuteScalar()! != 0;
    }

    /// <summary>The largest face id so far (face ids only grow): note it before indexing to place only what comes after.</summary>
    public long LastFaceId()
    {
        using var connection = _connect();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT coalesce(max(id), 0) FROM faces";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>
    /// Places the faces that are in no person yet (new photos, or a face marked "not this person") among the
    /// persons as they stand, without re-deciding the others: each joins, founds or (rarely) merges persons. Named
    /// persons never merge with each other here. Builds its own index of every face (which reads every embedding);
    /// a caller holding the collection's index should use the other overloads.
    /// </summary>
    public PeopleClusteringSummary PlaceNewFaces(ClusteringOptions options, string indexKind = VectorBackEnds.Auto)
    {
        List<StoredFace> faces;
        using (var connection = _connect())
        {
            faces = LoadFaces(connection);
        }

        using var index = BuildIndex(faces, indexKind);
        return PlaceNewFaces(options, (vector, k) => index.Search(vector, k));
    }

    /// <summary>Like the other overloads, searching <paramref name="collectionIndex"/>, which must hold every face of the collection.</summary>
    public PeopleClusteringSummary PlaceNewFaces(ClusteringOptions options, IVectorIndex collectionIndex)
    {
        ArgumentNullException.ThrowIfNull(collectionIndex);
        return PlaceNewFaces(options, (vector, k) => collectionIndex.Search(vector, k));
    }

    /// <summary>
    /// Places the faces in no person, searching the collection's own index through <paramref name="nearest"/> (the k
    /// faces nearest a vector, nearest first). With <paramref name="afterFaceId"/> (see <see cref="LastFaceId"/>),
    /// only faces added since are placed, so older faces left in no person (too small to found one) are not
    /// looked at again; the summary counts the placed faces only.
    /// </summary>
    public PeopleClusteringSummary PlaceNewFaces(ClusteringOptions options, Func<float[], int, IReadOnlyList<VectorHit>> nearest, long? afterFaceId = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(nearest);
        options.Validate();
        var clock = Stopwatch.StartNew();
        using var connection = _connect();
        var fresh = UnplacedFaces(connection, afterFaceId);
        if (fresh.Count == 0)
        {
            return new PeopleClusteringSummary(0, 0, 0, 0, clock.Elapsed.TotalSeconds);
        }

        var vectors = new Dictionary<long, float[]>();
        float[]? EmbeddingOf(long id)
        {
            if (!vectors.TryGetValue(id, out var vector) && (vector = ReadEmbedding(connection, id)) is not null)
            {
                vectors[id] = vector;
            }

            return vector;
        }

        // The faces that can decide where a new face goes: its neighbours nearer than the link distance.
        var near = new HashSet<long>();
        foreach (var face in fresh)
        {
            foreach (var hit in nearest(EmbeddingOf(face.Id)!, options.Neighbours + 1))
            {
                if (hit.Distance >= options.LinkDistance)
                {
                    break;
                }

                near.Add(hit.Id);
            }
        }

        near.ExceptWith(fresh.Select(f => f.Id));
        var (members, loose, corrections) = Neighbourhood(connection, near, fresh);
        var faces = members.Concat(loose).Concat(fresh).ToList();
        var clustering = new FaceClustering(options, nearest, EmbeddingOf, Constraints(faces, corrections, pinNamed: true));
        clustering.Restore(members
            .GroupBy(f => corrections.Assigned[f.Key].Person)
            .Select(g => (IReadOnlyList<ClusterFace>)[.. g.Select(f => new ClusterFace(f.Id, f.LowQuality))])
            .Concat(loose.Select(f => (IReadOnlyList<ClusterFace>)[new ClusterFace(f.Id, f.LowQuality)])));
        foreach (var face in fresh)
        {
            clustering.Add(new ClusterFace(face.Id, face.LowQuality));
        }

        return Write(connection, faces, clustering.Groups(), corrections, clock, fresh.Select(f => f.Id).ToHashSet());
    }

    /// <summary>Faces with an embedding and no person row, in id order (only those after <paramref name="afterFaceId"/> when given).</summary>
    private static List<StoredFace> UnplacedFaces(SqliteConnection connection, long? afterFaceId) =>
        ReadFaces(connection, $"""
            SELECT f.id, i.content_hash, f.ordinal, f.w, f.h, coalesce(f.label, i.label), NULL, NULL, f.score
            FROM faces f JOIN images i ON i.id = f.image_id JOIN embeddings e ON e.face_id = f.id
            LEFT JOIN person_faces pf ON pf.content_hash = i.content_hash AND pf.ordinal = f.ordinal
            WHERE pf.person_id IS NULL {(afterFaceId is null ? "" : "AND f.id > $after")}
            ORDER BY f.id
            """, ("$after", afterFaceId ?? 0));

    /// <summary>
    /// The persons the <paramref name="near"/> faces are in, with all their members; the near faces in no person
    /// (loose); and the corrections of these faces and of <paramref name="fresh"/>.
    /// </summary>
    private static (List<StoredFace> Members, List<StoredFace> Loose, Corrections Corrections) Neighbourhood(SqliteConnection connection, HashSet<long> near, List<StoredFace> fresh)
    {
        var nearIds = JsonSerializer.Serialize(near);
        var members = ReadFaces(connection, """
            SELECT f.id, i.content_hash, f.ordinal, f.w, f.h, coalesce(f.label, i.label), pf.person_id, pf.pinned, f.score
            FROM person_faces pf
            JOIN images i ON i.content_hash = pf.content_hash
            JOIN faces f ON f.image_id = i.id AND f.ordinal = pf.ordinal
            JOIN embeddings e ON e.face_id = f.id
            WHERE pf.person_id IN (
              SELECT pn.person_id FROM faces fn JOIN images i_n ON i_n.id = fn.image_id
              JOIN person_faces pn ON pn.content_hash = i_n.content_hash AND pn.ordinal = fn.ordinal
              WHERE fn.id IN (SELECT value FROM json_each($ids)))
            ORDER BY f.id
            """, ("$ids", nearIds), out var placed);
        var loose = ReadFaces(connection, """
            SELECT f.id, i.content_hash, f.ordinal, f.w, f.h, coalesce(f.label, i.label), NULL, NULL, f.score
            FROM faces f JOIN images i ON i.id = f.image_id JOIN embeddings e ON e.face_id = f.id
            LEFT JOIN person_faces pf ON pf.content_hash = i.content_hash AND pf.ordinal = f.ordinal
            WHERE f.id IN (SELECT value FROM json_each($ids)) AND pf.person_id IS NULL
            ORDER BY f.id
            """, ("$ids", nearIds));

        var assigned = new Dictionary<FaceKey, (long, bool)>();
        foreach (var (key, person, pinned) in placed)
        {
            assigned[key] = (person, pinned);
        }

        var excluded = new Dictionary<FaceKey, HashSet<long>>();
        var all = members.Concat(loose).Concat(fresh).ToList();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT pe.content_hash, pe.ordinal, pe.person_id
                FROM faces f JOIN images i ON i.id = f.image_id
                JOIN person_exclusions pe ON pe.content_hash = i.content_hash AND pe.ordinal = f.ordinal
                WHERE f.id IN (SELECT value FROM json_each($ids))
                """;
            command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(all.Select(f => f.Id)));
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var key = new FaceKey(reader.GetString(0), reader.GetInt32(1));
                (excluded.TryGetValue(key, out var set) ? set : excluded[key] = []).Add(reader.GetInt64(2));
            }
        }

        var named = new HashSet<long>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT id FROM persons WHERE name IS NOT NULL AND id IN (SELECT value FROM json_each($ids))";
            command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(placed.Select(p => p.Person).Distinct()));
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                named.Add(reader.GetInt64(0));
            }
        }

        return (members, loose, new Corrections(assigned, excluded, named));
    }

    private static List<StoredFace> ReadFaces(SqliteConnection connection, string sql, (string Name, object Value) parameter) =>
        ReadFaces(connection, sql, parameter, out _);

    /// <summary>
    /// Faces from a query of id, content hash, ordinal, w, h, label, person, pinned, score; the person rows (where not
    /// null) in <paramref name="placements"/>.
    /// </summary>
    private static List<StoredFace> ReadFaces(SqliteConnection connection, string sql, (string Name, object Value) parameter, out List<(FaceKey Key, long Person, bool Pinned)> placements)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue(parameter.Name, parameter.Value);
        using var reader = command.ExecuteReader();
        var faces = new List<StoredFace>();
        placements = [];
        while (reader.Read())
        {
            var key = new FaceKey(reader.GetString(1), reader.GetInt32(2));
            var box = new RectangleF(0, 0, reader.GetFloat(3), reader.GetFloat(4));
            faces.Add(new StoredFace(reader.GetInt64(0), key, IsLowQuality(box, reader.GetFloat(8)), reader.IsDBNull(5) ? null : reader.GetString(5), null));
            if (!reader.IsDBNull(6))
            {
                placements.Add((key, reader.GetInt64(6), reader.GetInt64(7) != 0));
            }
        }

        return faces;
    }
}
