using System.Security.Cryptography;

namespace Rvs.Catalog;

/// <summary>
/// The checksum recorded with a saved vector index: SHA-256 over each of its files in turn (name, length, bytes;
/// an absent file counts as absent), so a truncated, altered, swapped or missing file no longer matches.
/// </summary>
internal static class SavedIndexChecksum
{
    public static string Of(IReadOnlyList<string> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        foreach (var path in files)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetFileName(path) + "\n"));
            if (!File.Exists(path))
            {
                hash.AppendData("absent\n"u8);
                continue;
            }

            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            hash.AppendData(BitConverter.GetBytes(file.Length));
            int read;
            while ((read = file.Read(buffer)) > 0)
            {
                hash.AppendData(buffer.AsSpan(0, read));
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
