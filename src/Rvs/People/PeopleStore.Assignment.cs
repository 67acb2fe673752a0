using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Rvs.People;

/// <summary>Turning clustering groups into persons, and writing them.</summary>
public sealed partial class PeopleStore
{
    /// <summary>
    /// Gives each founded group a person: its pinned person; else the earlier person that held most of its faces
    /// (each earlier person to one group at most, largest overlaps first), so names follow their faces; else a new
    /// person. A face excluded from its group's person is set apart as a person of its own (or none, if it is of
    /// low quality). Then writes every placement, drops empty unnamed persons, and names unnamed persons from a
    /// folder label that most of their faces share. The summary counts <paramref name="counted"/> (every face when null).
    /// </summary>
    private static PeopleClusteringSummary Write(SqliteConnection connection, List<StoredFace> faces, IReadOnlyList<FaceCluster> groups, Corrections corrections, Stopwatch clock, IReadOnlySet<long>? counted = null)
    {
        var faceById = faces.ToDictionary(f => f.Id);
        var personOfGroup = new long?[groups.Count];
        var taken = new HashSet<long>();
        for (var g = 0; g < groups.Count; g++)
        {
            if (groups[g].Pin is { } pin)
            {
                personOfGroup[g] = pin;
                taken.Add(pin);
            }
        }

        var overlaps = groups
            .Select((group, g) => (group, g))
            .Where(x => x.group.Founded && personOfGroup[x.g] is null)
            .SelectMany(x => x.group.Faces
                .Select(id => corrections.Assigned.TryGetValue(faceById[id].Key, out var placed) ? placed.Person : (long?)null)
                .OfType<long>()
                .GroupBy(person => person)
                .Select(p => (Group: x.g, Person: p.Key, Faces: p.Count())))
            .OrderByDescending(o => o.Faces).ThenBy(o => o.Person).ThenBy(o => o.Group);
        foreach (var (group, person, _) in overlaps)
        {
            if (personOfGroup[group] is null && taken.Add(person))
            {
                personOfGroup[group] = person;
            }
        }

        using var transaction = connection.BeginTransaction(deferred: false);
        var created = 0;
        long? Create(bool founded)
        {
            if (!founded)
            {
                return null;
            }

            created++;
            return NewPerson(connection, transaction, null);
        }

        var placements = new List<(FaceKey Key, long Person)>();
        for (var g = 0; g < groups.Count; g++)
        {
            if (!groups[g].Founded)
            {
                continue;
            }

            var person = personOfGroup[g] ??= Create(founded: true)!.Value;
            foreach (var id in groups[g].Faces)
            {
                var face = faceById[id];
                if (corrections.Excluded.TryGetValue(face.Key, out var excluded) && excluded.Contains(person))
                {
                    if (Create(!face.LowQuality) is { } alone)
                    {
                        placements.Add((face.Key, alone));
                    }
                }
                else
                {
                    placements.Add((face.Key, person));
                }
            }
        }

        // Only what changed is written, so placing one new face costs a few rows, not the whole table.
        var wanted = new Dictionary<FaceKey, long>();
        foreach (var (key, person) in placements)
        {
            wanted.TryAdd(key, person);
        }

        var changed = new HashSet<long>();
        foreach (var (key, (person, pinned)) in corrections.Assigned)
        {
            if (!pinned && !wanted.ContainsKey(key))
            {
                Run(connection, transaction, "DELETE FROM person_faces WHERE content_hash = $h AND ordinal = $o AND pinned = 0", ("$h", key.ContentHash), ("$o", key.Ordinal));
                changed.Add(person);
            }
        }

        using (var upsert = connection.CreateCommand())
        {
            upsert.Transaction = transaction;
            upsert.CommandText = """
                INSERT INTO person_faces (content_hash, ordinal, person_id, pinned) VALUES ($h, $o, $p, 0)
                ON CONFLICT (content_hash, ordinal) DO UPDATE SET person_id = excluded.person_id WHERE pinned = 0
                """;
            var hash = upsert.Parameters.Add("$h", SqliteType.Text);
            var ordinal = upsert.Parameters.Add("$o", SqliteType.Integer);
            var personParameter = upsert.Parameters.Add("$p", SqliteType.Integer);
            foreach (var (key, person) in wanted)
            {
                var before = corrections.Assigned.TryGetValue(key, out var placed) ? placed : ((long Person, bool Pinned)?)null;
                if (before is { } b && (b.Pinned || b.Person == person))
                {
                    continue;
                }

                if (before is { } old)
                {
                    changed.Add(old.Person);
                }

                changed.Add(person);
                hash.Value = key.ContentHash;
                ordinal.Value = key.Ordinal;
                personParameter.Value = person;
                upsert.ExecuteNonQuery();
            }
        }

        foreach (var person in changed)
        {
            Run(connection, transaction, """
                DELETE FROM persons WHERE id = $p AND name IS NULL
                  AND NOT EXISTS (SELECT 1 FROM person_faces WHERE person_id = $p)
                  AND NOT EXISTS (SELECT 1 FROM person_exclusions WHERE person_id = $p)
                """, ("$p", person));
        }

        SeedNames(connection, transaction, faces, [.. placements.Where(p => changed.Contains(p.Person))]);
        transaction.Commit();
        var reported = counted is null ? faces : [.. faces.Where(f => counted.Contains(f.Id))];
        var persons = reported.Select(f => wanted.TryGetValue(f.Key, out var p) ? p : (long?)null).OfType<long>().Distinct().Count();
        var unassigned = reported.Count(f => !wanted.ContainsKey(f.Key));
        return new PeopleClusteringSummary(reported.Count, persons, created, unassigned, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Names an unnamed person after the folder label more than half of its faces carry, when no person has that name
    /// yet: a folder names one person (the one with the most of its faces), not the bystanders in its photos.
    /// </summary>
    private static void SeedNames(SqliteConnection connection, SqliteTransaction transaction, List<StoredFace> faces, List<(FaceKey Key, long Person)> placements)
    {
        var labelOf = faces.GroupBy(f => f.Key).ToDictionary(g => g.Key, g => g.First().Label);
        var candidates = placements.GroupBy(p => p.Person)
            .Select(person => (Person: person.Key, Size: person.Count(), Label: person.Select(p => labelOf[p.Key]).OfType<string>()
                .GroupBy(l => l, StringComparer.Ordinal).OrderByDescending(l => l.Count()).ThenBy(l => l.Key, StringComparer.Ordinal).FirstOrDefault()))
            .Where(c => c.Label is not null && c.Label.Count() * 2 > c.Size)
            .OrderByDescending(c => c.Label!.Count()).ThenBy(c => c.Person);
        foreach (var (person, _, label) in candidates)
        {
            Run(connection, transaction, "UPDATE persons SET name = $n WHERE id = $p AND name IS NULL AND NOT EXISTS (SELECT 1 FROM persons WHERE name = $n)", ("$n", label!.Key), ("$p", person));
        }
    }
}
