using System.Diagnostics;
using System.Drawing;
using Microsoft.Data.Sqlite;
using Rvs.Index;
using Rvs.Pipelines;

namespace Rvs.People;

/// <summary>Clustering runs over the catalog's faces: a full re-cluster, and placing faces not yet in any person.</summary>
public sealed partial class PeopleStore
{
    /// <summary>A face that may join a person but not found one (<see cref="FaceQuality.MayFoundPerson"/>).</summary>
    public static bool IsLowQuality(RectangleF box, float score) => !FaceQuality.MayFoundPerson(box, score);

    /// <summary>
    /// Clusters every face again. Pinned faces stay with their persons, exclusions hold, and each new group takes the
    /// person (and so the name) that held most of its faces before; the rest become new persons.
    /// </summary>
    public PeopleClusteringSummary Recluster(ClusteringOptions options, string indexKind = VectorBackEnds.Auto)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        using var connection = _connect();
        var faces = LoadFaces(connection);
        var corrections = LoadCorrections(connection);
        using var index = BuildIndex(faces, indexKind);
        var vectors = faces.ToDictionary(f => f.Id, f => f.Vector!);
        var clustering = new FaceClustering(options, index, id => vectors.GetValueOrDefault(id), Constraints(faces, corrections, pinNamed: false));
        var groups = clustering.Cluster([.. faces.Select(f => new ClusterFace(f.Id, f.LowQuality))]);
        return Write(connection, faces, groups, corrections, clock);
    }

    private static float[]? ReadEmbedding(SqliteConnection connection, long faceId)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT vector FROM embeddings WHERE face_id = $f";
        command.Parameters.AddWithValue("$f", faceId);
        return command.ExecuteScalar() is byte[] blob ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(blob).ToArray() : null;
    }

    private sealed record StoredFace(long Id, FaceKey Key, bool LowQuality, string? Label, float[]? Vector);

    private sealed record Corrections(
        Dictionary<FaceKey, (long Person, bool Pinned)> Assigned,
        Dictionary<FaceKey, HashSet<long>> Excluded,
        HashSet<long> Named);

    /// <summary>Every face with an embedding; the vectors themselves only when asked for.</summary>
    private static List<StoredFace> LoadFaces(SqliteConnection connection, bool withVectors = true)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT f.id, i.content_hash, f.ordinal, f.w, f.h, coalesce(f.label, i.label), {(withVectors ? "e.vector" : "NULL")}, f.score
            FROM faces f JOIN images i ON i.id = f.image_id JOIN embeddings e ON e.face_id = f.id
            ORDER BY f.id
            """;
        using var reader = command.ExecuteReader();
        var faces = new List<StoredFace>();
        while (reader.Read())
        {
            var box = new RectangleF(0, 0, reader.GetFloat(3), reader.GetFloat(4));
            var vector = reader.IsDBNull(6) ? null : System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>((byte[])reader.GetValue(6)).ToArray();
            faces.Add(new StoredFace(reader.GetInt64(0), new FaceKey(reader.GetString(1), reader.GetInt32(2)), IsLowQuality(box, reader.GetFloat(7)), reader.IsDBNull(5) ? null : reader.GetString(5), vector));
        }

        return faces;
    }

    private static Corrections LoadCorrections(SqliteConnection connection)
    {
        var assigned = new Dictionary<FaceKey, (long, bool)>();
        var excluded = new Dictionary<FaceKey, HashSet<long>>();
        var named = new HashSet<long>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT content_hash, ordinal, person_id, pinned FROM person_faces";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                assigned[new FaceKey(reader.GetString(0), reader.GetInt32(1))] = (reader.GetInt64(2), reader.GetInt64(3) != 0);
            }
        }

        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT content_hash, ordinal, person_id FROM person_exclusions";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var key = new FaceKey(reader.GetString(0), reader.GetInt32(1));
                (excluded.TryGetValue(key, out var set) ? set : excluded[key] = []).Add(reader.GetInt64(2));
            }
        }

        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT id FROM persons WHERE name IS NOT NULL";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                named.Add(reader.GetInt64(0));
            }
        }

        return new Corrections(assigned, excluded, named);
    }

    /// <summary>The corrections in this run's face ids; with <paramref name="pinNamed"/>, named persons' faces too.</summary>
    private static ClusteringConstraints Constraints(List<StoredFace> faces, Corrections corrections, bool pinNamed)
    {
        var pins = new Dictionary<long, long>();
        var exclusions = new Dictionary<long, IReadOnlySet<long>>();
        foreach (var face in faces)
        {
            if (corrections.Assigned.TryGetValue(face.Key, out var placed) && (placed.Pinned || (pinNamed && corrections.Named.Contains(placed.Person))))
            {
                pins[face.Id] = placed.Person;
            }

            if (corrections.Excluded.TryGetValue(face.Key, out var persons))
            {
                exclusions[face.Id] = persons;
            }
        }

        return new ClusteringConstraints(pins, exclusions);
    }

    private static IVectorIndex BuildIndex(List<StoredFace> faces, string indexKind)
    {
        var dimensions = faces.Count > 0 ? faces[0].Vector!.Length : 1;
        var index = VectorBackEnds.CreateEmbedded(dimensions, faces.Count, indexKind);
        if (faces.Count > 0)
        {
            index.Add([.. faces.Select(f => f.Id)], faces.SelectMany(f => f.Vector!).ToArray());
        }

        return index;
    }
}
