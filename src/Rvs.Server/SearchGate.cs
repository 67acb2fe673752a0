using System.Threading.RateLimiting;

namespace Rvs.Server;

/// <summary>
/// Bounds the work done with the models: a few requests run at once, a capped number wait in order, and the rest
/// are turned away straight away, so a burst never piles up unbounded memory or latency.
/// </summary>
public sealed class SearchGate : IDisposable
{
    private readonly ConcurrencyLimiter _limiter;

    public SearchGate(int slots, int queue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(queue);
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = slots,
            QueueLimit = queue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    /// <summary>A lease to dispose when the model work is done, or null when the queue is full.</summary>
    public async ValueTask<IDisposable?> EnterAsync(CancellationToken cancellationToken)
    {
        var lease = await _limiter.AcquireAsync(1, cancellationToken);
        if (lease.IsAcquired)
        {
            return lease;
        }

        lease.Dispose();
        return null;
    }

    public void Dispose() => _limiter.Dispose();
}
