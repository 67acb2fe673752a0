using System.Threading.RateLimiting;

namespace Rvs.Server;

/// <summary>
/// Bounds the bytes of uploads held in memory at once. An upload reserves its declared size (Content-Length, or the
/// largest body allowed when it declares none) before a byte of its body is read and keeps it until its request is
/// answered; one that does not fit is turned away at once, so a burst of large uploads costs a bounded amount of
/// memory instead of piling up in front of the search gate.
/// </summary>
internal sealed class UploadBudget : IDisposable
{
    // Permits are KiB: the limiter counts in int, and a budget in bytes would overflow it past 2 GiB.
    private const long Unit = 1024;

    private readonly ConcurrencyLimiter _limiter;

    public UploadBudget(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, Unit);
        Bytes = bytes;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = (int)Math.Min(bytes / Unit, int.MaxValue),
            QueueLimit = 0,
        });
    }

    public long Bytes { get; }

    /// <summary>A lease on <paramref name="bytes"/> of the budget to dispose when the upload is let go, or null when they do not fit now.</summary>
    public IDisposable? TryReserve(long bytes)
    {
        var units = (int)Math.Clamp((bytes + Unit - 1) / Unit, 1, int.MaxValue);
        var lease = _limiter.AttemptAcquire(units);
        if (lease.IsAcquired)
        {
            return lease;
        }

        lease.Dispose();
        return null;
    }

    public void Dispose() => _limiter.Dispose();
}
