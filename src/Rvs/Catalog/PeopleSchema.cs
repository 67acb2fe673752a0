namespace Rvs.Catalog;

/// <summary>
/// The catalog tables of persons (catalog version 2; older catalogs get them from CatalogMigrations): who the faces are, what the user named them and what the user
/// corrected. Faces are referred to by their photo's content hash and their ordinal in it, not by face id: a
/// re-index deletes a photo's faces and creates them again under new ids, but the same bytes through the same
/// pipeline give the same faces in the same order, so names and corrections survive it.
/// </summary>
internal static class PeopleSchema
{
    // pinned = 1: the user put the face there (merge, split, move); clustering keeps it. Otherwise the row is the
    // last clustering's placement and a re-cluster may change it. Exclusions are "this face is not this person".
    public const string Ddl = """
        CREATE INDEX IF NOT EXISTS images_content_hash ON images(content_hash);

        CREATE TABLE IF NOT EXISTS persons (
            id         INTEGER PRIMARY KEY AUTOINCREMENT,
            name       TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS persons_name ON persons(name);

        CREATE TABLE IF NOT EXISTS person_faces (
            content_hash TEXT NOT NULL,
            ordinal      INTEGER NOT NULL,
            person_id    INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
            pinned       INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (content_hash, ordinal)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS person_faces_person ON person_faces(person_id);

        CREATE TABLE IF NOT EXISTS person_exclusions (
            content_hash TEXT NOT NULL,
            ordinal      INTEGER NOT NULL,
            person_id    INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
            PRIMARY KEY (content_hash, ordinal, person_id)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS person_exclusions_person ON person_exclusions(person_id);
        """;
}
