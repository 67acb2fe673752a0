using System.Data.Common;
using System.Drawing;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Rvs.Catalog;

/// <summary>
/// The few ADO.NET helpers every catalog query uses, on SQLite and PostgreSQL alike, and how vectors and landmarks are
/// stored in columns. Queries both run name their parameters @name, which both understand.
/// </summary>
internal static class Sql
{
    public static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    /// <summary>Sets a parameter, adding it on first use, so one prepared command serves every row of a batch.</summary>
    public static void Set(DbCommand command, string name, object? value)
    {
        if (command.Parameters.Contains(name))
        {
            command.Parameters[name].Value = value ?? DBNull.Value;
        }
        else
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
    }

    /// <summary>A command with its parameters set, for a statement run once.</summary>
    public static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = Command(connection, transaction, sql);
        foreach (var (name, value) in parameters)
        {
            Set(command, name, value);
        }

        return command;
    }

    public static long Scalar(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>A whole number whatever width the database gives it (SQLite's integers are 64-bit, PostgreSQL's count is).</summary>
    public static int Int(DbDataReader reader, int ordinal) => Convert.ToInt32(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    /// <summary>A flag stored as SQLite's 0/1 integer or PostgreSQL's boolean.</summary>
    public static bool Flag(DbDataReader reader, int ordinal) => Convert.ToBoolean(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    /// <summary>A time stored as SQLite's ISO 8601 text or PostgreSQL's timestamptz.</summary>
    public static DateTimeOffset Time(DbDataReader reader, int ordinal) => reader.GetValue(ordinal) switch
    {
        DateTime time => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)),
        DateTimeOffset time => time,
        var text => DateTimeOffset.Parse((string)text, CultureInfo.InvariantCulture),
    };

    public static RectangleF Box(DbDataReader reader, int first) =>
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
