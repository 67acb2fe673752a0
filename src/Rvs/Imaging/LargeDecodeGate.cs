namespace Rvs.Imaging;

/// <summary>
/// A process-wide cap on how many large images (over <see cref="DecodeLimits.LargeImagePixels"/> declared pixels)
/// are decoded at once. <see cref="ImageDecoder"/> passes every large decode through it, so a burst of big uploads
/// queues here instead of multiplying the codec's working memory. Ordinary photos never wait.
/// </summary>
public static class LargeDecodeGate
{
    private static readonly object Sync = new();
    private static int _limit = 2;
    private static int _running;

    /// <summary>How many large decodes may run at once (default 2; at least 1). A server may lower or raise it at start.</summary>
    public static int MaxConcurrent
    {
        get
        {
            lock (Sync)
            {
                return _limit;
            }
        }

        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            lock (Sync)
            {
                _limit = value;
                Monitor.PulseAll(Sync);
            }
        }
    }

    /// <summary>Large decodes running now (for tests and diagnostics).</summary>
    public static int Running
    {
        get
        {
            lock (Sync)
            {
                return _running;
            }
        }
    }

    /// <summary>Waits for a slot; dispose the result to give it back.</summary>
    public static Slot Enter()
    {
        lock (Sync)
        {
            while (_running >= _limit)
            {
                Monitor.Wait(Sync);
            }

            _running++;
        }

        return new Slot(true);
    }

    /// <summary>One held slot of the gate (a no-op slot when the decode was not large).</summary>
    public readonly struct Slot(bool held) : IDisposable
    {
        public void Dispose()
        {
            if (!held)
            {
                return;
            }

            lock (Sync)
            {
                _running--;
                Monitor.PulseAll(Sync);
            }
        }
    }

    internal static Slot EnterIfLarge(long declaredPixels) =>
        declaredPixels > DecodeLimits.LargeImagePixels ? Enter() : new Slot(false);
}
