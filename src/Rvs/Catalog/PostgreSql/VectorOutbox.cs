using System.Data.Common;
using System.Runtime.InteropServices;
using Npgsql;
using Rvs.Index;

namespace Rvs.Catalog.PostgreSql;

/// <summary>
/// Keeps a vector store that every process of a shared catalog sees (Garnet) in step with the catalog, however many
/// processes write at once and whichever of them is killed. Each catalog change queues its face ids in the same
/// transaction (<see cref="Enqueue"/>); once it has committed, <see cref="Drain"/> applies queued faces to the store
/// and deletes their rows. Any process may drain any row: what a killed writer queued is applied by the next process
/// that opens the catalog or follows its generation.
/// </summary>
/// <remarks>
/// Every store operation is idempotent by face id (ids are never reused: an add always carries the same vector), so two
/// processes applying one row do no harm. Order is kept by row locks: a drain holds its rows (FOR UPDATE) while it
/// writes to the store, and a removal's transaction, which re-queues the face as removed, waits for that lock. So
/// the removal's own drain always comes after an add of the same face, never before it, and the store cannot keep a
/// face the catalog dropped. The vector of an added face is read from the catalog at drain time; a face gone by then
/// is removed instead.
/// </remarks>
internal sealed class VectorOutbox(PostgresCatalog catalog)
{
    private const int Batch = 1000;

    /// <summary>Queues a change's faces inside its own transaction: added ones to add, removed ones to remove.</summary>
    public static void Enqueue(DbConnection connection, DbTransaction transaction, IEnumerable<long> added, IEnumerable<long> removed)
    {
        using var command = new NpgsqlCommand("""
            INSERT INTO vector_outbox (face_id, removed) SELECT id, @removed FROM unnest(@ids) AS id
            ON CONFLICT (face_id) DO UPDATE SET removed = excluded.removed
            """, (NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
        foreach (var (ids, isRemoval) in new[] { (added.ToArray(), false), (removed.ToArray(), true) })
        {
            if (ids.Length == 0)
            {
                continue;
            }

            command.Parameters.Clear();
            command.Parameters.AddWithValue("ids", ids);
            command.Parameters.AddWithValue("removed", isRemoval);
            command.ExecuteNonQuery();
        }
    }

    /// <summary>Queues every face of the catalog, for a store that was cleared to be refilled (`rvs reindex`).</summary>
    public void EnqueueAll() => catalog.Guard(() =>
    {
        using var connection = (NpgsqlConnection)catalog.Connect();
        using var command = new NpgsqlCommand("""
            INSERT INTO vector_outbox (face_id, removed) SELECT face_id, false FROM embeddings ON CONFLICT (face_id) DO NOTHING
            """, connection);
        return command.ExecuteNonQuery();
    });

    /// <summary>Rows queued now, by every process (0 when the store has caught up with every committed change).</summary>
    public long Pending() => catalog.Guard(() =>
    {
        using var connection = catalog.Connect();
        return Sql.Scalar(connection, null, "SELECT count(*) FROM vector_outbox");
    });

    /// <summary>
    /// Applies queued faces to <paramref name="index"/> and deletes their rows, a batch per transaction. With
    /// <paramref name="only"/> (the faces of this process's own change) it waits for rows another process is applying,
    /// so that when it returns the store holds the change; without, it takes every row no one else holds. A store that
    /// fails leaves its batch queued for a later drain. Returns the faces applied.
    /// </summary>
    public int Drain(IVectorIndex index, int dimensions, IReadOnlyCollection<long>? only = null)
    {
        if (only is { Count: 0 })
        {
            return 0;
        }

        var applied = 0;
        while (true)
        {
            var done = catalog.Guard(() => DrainBatch(index, dimensions, only?.ToArray()));
            applied += done;
            if (done < Batch || only is not null)
            {
                return applied;
            }
        }
    }

    private int DrainBatch(IVectorIndex index, int dimensions, long[]? only)
    {
        using var connection = (NpgsqlConnection)catalog.Connect();
        using var transaction = connection.BeginTransaction();
        using var select = new NpgsqlCommand($"""
            SELECT o.face_id, o.removed, e.vector, f.image_id, i.path, i.label, f.x, f.y, f.w, f.h
            FROM vector_outbox o
                LEFT JOIN faces f ON f.id = o.face_id
                LEFT JOIN embeddings e ON e.face_id = o.face_id
                LEFT JOIN images i ON i.id = f.image_id
            {(only is null ? "" : "WHERE o.face_id = ANY(@only)")}
            ORDER BY o.face_id
            {(only is null ? $"LIMIT {Batch}" : "")}
            FOR UPDATE OF o {(only is null ? "SKIP LOCKED" : "")}
            """, connection, transaction);
        if (only is not null)
        {
            select.Parameters.AddWithValue("only", only);
        }

        var taken = new List<long>();
        var removed = new List<long>();
        var added = new List<long>();
        var vectors = new List<float>();
        var attributes = new List<string?>();
        using (var reader = select.ExecuteReader())
        {
            while (reader.Read())
            {
                var faceId = reader.GetInt64(0);
                taken.Add(faceId);
                if (reader.GetBoolean(1) || reader.IsDBNull(2) || reader.IsDBNull(3))
                {
                    removed.Add(faceId);
                    continue;
                }

                var blob = (byte[])reader.GetValue(2);
                if (blob.Length != dimensions * sizeof(float))
                {
                    throw catalog.Damaged($"face {faceId} has a {blob.Length / sizeof(float)}-dimensional embedding in a {dimensions}-dimensional collection");
                }

                added.Add(faceId);
                vectors.AddRange(MemoryMarshal.Cast<byte, float>(blob));
                attributes.Add(FaceAttributes.ToJson(reader.GetInt64(3), reader.GetString(4), Sql.NullableString(reader, 5), Sql.Box(reader, 6)));
            }
        }

        if (taken.Count == 0)
        {
            return 0;
        }

        if (removed.Count > 0)
        {
            index.Remove(removed);
        }

        if (added.Count > 0)
        {
            index.Add(added, CollectionsMarshal.AsSpan(vectors), attributes);
        }

        using var delete = new NpgsqlCommand("DELETE FROM vector_outbox WHERE face_id = ANY(@ids)", connection, transaction);
        delete.Parameters.AddWithValue("ids", taken.ToArray());
        delete.ExecuteNonQuery();
        transaction.Commit();
        return taken.Count;
    }
}
