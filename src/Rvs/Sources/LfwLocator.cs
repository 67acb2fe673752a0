using System.Security.Cryptography;

namespace Rvs.Sources;

/// <summary>
/// Finds Labeled Faces in the Wild for the demo and the evaluation: a path the user gave, else the workplace's
/// shared copy beside the repository, else the official archive downloaded once into the cache and checked
/// against its published checksum (a partial or tampered download is never used).
/// </summary>
public static class LfwLocator
{
    public const string OfficialUrl = "http://vis-www.cs.umass.edu/lfw/lfw.tgz";

    /// <summary>MD5 of the official lfw.tgz, as published with it and used by common loaders.</summary>
    public const string OfficialMd5 = "a17d05bd522c52d84eca14327a23d494";

    /// <summary>The workplace's shared copy, relative to the repository (where rvs is usually run from).</summary>
    public static string SharedArchive { get; } = Path.Combine(SharedData, "lfw.tgz");

    /// <summary>The official verification pairs in the shared copy.</summary>
    public static string SharedPairs { get; } = Path.Combine(SharedData, "pairs.txt");

    private static string SharedData => Path.Combine("..", "shared", "data");

    /// <summary>Candidates tried when no path is given, nearest first.</summary>
    public static IEnumerable<string> DefaultCandidates()
    {
        yield return SharedArchive;
        if (RepositoryRoot.Find() is { } root)
        {
            yield return Path.Combine(root, "..", "shared", "data", "lfw.tgz");
        }

        yield return CachedArchive;
    }

    public static string CachedArchive => Path.Combine(CacheDirectory, "lfw.tgz");

    public static string CacheDirectory => UserCache.Folder();

    /// <summary>Resolves <paramref name="given"/> (a .tgz, a folder or an http(s) URL) or the defaults to a local path.</summary>
    public static async Task<string> LocateAsync(string? given, IProgress<(long Done, long? Total)>? download = null, CancellationToken cancellationToken = default)
    {
        if (given is not null && Uri.TryCreate(given, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            return await DownloadAsync(uri, CachedArchive, download, cancellationToken);
        }

        if (given is not null)
        {
            return File.Exists(given) || Directory.Exists(given)
                ? given
                : throw new FileNotFoundException($"LFW not found at '{given}' (give lfw.tgz, an extracted folder or a URL)", given);
        }

        return DefaultCandidates().FirstOrDefault(File.Exists)
               ?? await DownloadAsync(new Uri(OfficialUrl), CachedArchive, download, cancellationToken);
    }

    private static async Task<string> DownloadAsync(Uri uri, string target, IProgress<(long Done, long? Total)>? progress, CancellationToken cancellationToken)
    {
        if (File.Exists(target))
        {
            return target;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var partial = target + ".part";
        using (var client = new HttpClient { Timeout = TimeSpan.FromMinutes(30) })
        {
            HttpResponseMessage response;
            try
            {
                response = await client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                response.EnsureSuccessStatusCode();
            }
            catch (HttpRequestException e)
            {
                throw new IOException($"could not download LFW from {uri} ({e.Message}); pass --lfw <path to lfw.tgz or folder>", e);
            }

            using (response)
            await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken))
            await using (var file = File.Create(partial))
            {
                var buffer = new byte[1 << 20];
                long done = 0;
                int read;
                while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    done += read;
                    progress?.Report((done, response.Content.Headers.ContentLength));
                }
            }
        }

        string md5;
        await using (var check = File.OpenRead(partial))
        {
            // MD5 because it is the checksum LFW publishes; it guards against a broken download, not an attacker.
#pragma warning disable CA5351
            md5 = Convert.ToHexStringLower(await MD5.HashDataAsync(check, cancellationToken));
#pragma warning restore CA5351
        }

        if (uri.AbsoluteUri == OfficialUrl && md5 != OfficialMd5)
        {
            File.Delete(partial);
            throw new IOException($"the download from {uri} has MD5 {md5}, not the published {OfficialMd5}; it was discarded");
        }

        File.Move(partial, target, overwrite: true);
        return target;
    }

}
