using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Rvs.Catalog;

namespace Rvs.Server;

/// <summary>
/// Lets a running server see what other processes write to its collection (`rvs index` adding photos, `rvs remove`):
/// before a request is answered, at most once per interval, the catalog's generation is read (one indexed row) and,
/// when it moved, the index catches up. One request does the catching up; the others meanwhile use the index as it
/// was, so no request waits on another's check.
/// </summary>
internal sealed class CatalogWatch(FaceCollection collection, TimeSpan interval, ILogger logger)
{
    private long _lastCheck = long.MinValue;
    private int _checking;

    public void CatchUpIfDue()
    {
        var now = Stopwatch.GetTimestamp();
        if ((_lastCheck != long.MinValue && Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastCheck), now) < interval)
            || Interlocked.Exchange(ref _checking, 1) == 1)
        {
            return;
        }

        try
        {
            if (collection.CatchUp())
            {
                logger.LogInformation("The collection changed on disk; the index now holds {Faces} faces.", collection.IndexedFaces);
            }
        }
        catch (Exception e) when (e is Rvs.Errors.RvsException or Microsoft.Data.Sqlite.SqliteException)
        {
            // A catalog busy with a long write, say: answering from the index as it is beats failing the request.
            logger.LogWarning("Could not check the collection for changes made elsewhere ({Message}); trying again on a later request.", e.Message);
        }
        finally
        {
            Interlocked.Exchange(ref _lastCheck, Stopwatch.GetTimestamp());
            Volatile.Write(ref _checking, 0);
        }
    }
}
