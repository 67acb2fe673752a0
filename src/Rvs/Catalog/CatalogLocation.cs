using Rvs.Catalog.PostgreSql;

namespace Rvs.Catalog;

/// <summary>
/// Where a collection's catalog lives, as the user names it: a collection directory (catalog.db inside, the embedded
/// default) or a PostgreSQL URI, postgresql://user@host:port/database (<see cref="PostgresUri"/>), for a catalog that
/// several processes share. Every open of a catalog goes through here, so the choice is made in one place.
/// </summary>
internal static class CatalogLocation
{
    /// <summary>Whether <paramref name="location"/> names a shared catalog (a URI) rather than a collection directory.</summary>
    public static bool IsShared(string location) => PostgresUri.IsUri(location);

    /// <summary>The location as messages show it: a URI without its password (one that does not parse, as given).</summary>
    public static string Shown(string location)
    {
        if (!IsShared(location))
        {
            return location;
        }

        try
        {
            return PostgresUri.Parse(location).Display;
        }
        catch (CollectionException)
        {
            return location;
        }
    }

    /// <summary>Whether <paramref name="location"/> holds a collection (a shared catalog that cannot be reached is an error).</summary>
    public static bool Exists(string location) =>
        IsShared(location) ? PostgresCatalog.Exists(location) : CatalogDatabase.Exists(location);

    /// <summary>The catalog of an existing collection; fails clearly if there is none or it cannot be read.</summary>
    public static ICatalog OpenExisting(string location, bool readOnly) =>
        IsShared(location) ? PostgresCatalog.OpenExisting(location, readOnly) : CatalogDatabase.OpenExisting(location, readOnly);

    /// <summary>The catalog at <paramref name="location"/>, created for this pipeline and back end if there is none.</summary>
    /// <param name="sharedCreated">On a shared catalog, runs inside the transaction that creates it (see PostgresCatalog.OpenOrCreate).</param>
    public static ICatalog OpenOrCreate(string location, PipelineIdentity pipeline, string indexKind, IReadOnlyDictionary<string, string> indexSettings, Action? sharedCreated = null) =>
        IsShared(location)
            ? PostgresCatalog.OpenOrCreate(location, pipeline, indexKind, indexSettings, sharedCreated)
            : CatalogDatabase.OpenOrCreate(location, pipeline, indexKind, indexSettings);
}
