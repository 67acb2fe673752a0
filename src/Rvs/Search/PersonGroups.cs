using Rvs.Catalog;
using Rvs.People;

namespace Rvs.Search;

/// <summary>
/// The hits of one result list that show one person: the person's name (if the user or a folder gave one), how
/// many faces it has in the whole collection, and its hits in this list, best first.
/// </summary>
public sealed record PersonGroup(long PersonId, string? Name, int FaceCount, IReadOnlyList<SearchHit> Hits)
{
    /// <summary>The person's name, or "unnamed person #id".</summary>
    public string Title => TitleOf(PersonId, Name);

    /// <summary>What every surface calls a person: its name, or "unnamed person #id".</summary>
    public static string TitleOf(long personId, string? name) => name ?? $"unnamed person #{personId}";

    public SearchHit Best => Hits[0];
}

/// <summary>
/// Groups search hits by the person their face is in, so every surface shows "Colin Powell: 236 faces" before the
/// per-face list. One query for the hits' persons and one for those persons' sizes, whatever the collection holds.
/// </summary>
/// <remarks>A collection on a shared catalog has no persons yet (they live in catalog.db): its hits are in none.</remarks>
public sealed class PersonGrouping(PeopleStore? people)
{
    public static PersonGrouping ForCollection(FaceCollection collection)
    {
        ArgumentNullException.ThrowIfNull(collection);
        // Grouping only reads, so it works for a user who may not write the collection.
        return new PersonGrouping(collection.Directory is { } directory ? PeopleStore.ForCollection(directory, readOnly: true) : null);
    }

    /// <summary>The persons among <paramref name="hits"/>, in the order of their best hit; hits in no person are in none.</summary>
    public IReadOnlyList<PersonGroup> Group(IReadOnlyList<SearchHit> hits)
    {
        ArgumentNullException.ThrowIfNull(hits);
        if (people is null)
        {
            return [];
        }

        var persons = people.PersonsOf(hits.Select(h => h.FaceId));
        if (persons.Count == 0)
        {
            return [];
        }

        var counts = people.FaceCounts(persons.Values.Select(p => p.PersonId));
        return [.. hits
            .Where(h => persons.ContainsKey(h.FaceId))
            .GroupBy(h => persons[h.FaceId].PersonId)
            .Select(g => new PersonGroup(g.Key, persons[g.First().FaceId].Name, counts.GetValueOrDefault(g.Key), [.. g]))];
    }
}
