using System.Drawing;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Rvs.Catalog;

/// <summary>The few ADO.NET helpers every catalog query uses, and how vectors and landmarks are stored in columns.</summary>
internal static class Sql
{
    public static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    /// <summary>Sets a parameter, adding it on first use, so one prepared command serves every row of a batch.</summary>
    public static void Set(SqliteCommand command, string name, object? value)
    {
        if (command.Parameters.Contains(name))
        {
            command.Parameters[name].Value = value ?? DBNull.Value;
        }
        else
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
    }

    public static long Scalar(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        using var command = Command(connection, transaction, sql);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static string? NullableString(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static RectangleF Box(SqliteDataReader reader, int first) =>
        new(reader.GetFloat(first), reader.GetFloat(first + 1), reader.GetFloat(first + 2), reader.GetFloat(first + 3));

    // Vectors are stored as raw float32 in the machine's byte order (little-endian on every platform .NET runs
    // rvs on), which lets the bulk load copy them without parsing.
    public static byte[] ToBlob(ReadOnlySpan<float> vector) => MemoryMarshal.AsBytes(vector).ToArray();

    public static float[] FromBlob(byte[] blob) => MemoryMarshal.Cast<byte, float>(blob).ToArray();

    public static string LandmarksToJson(PointF[] landmarks) =>
        JsonSerializer.Serialize(landmarks.Select(p => new[] { p.X, p.Y }).ToArray());

    public static PointF[] LandmarksFromJson(string json) =>
        (JsonSerializer.Deserialize<float[][]>(json) ?? []).Select(p => new PointF(p[0], p[1])).ToArray();
}
