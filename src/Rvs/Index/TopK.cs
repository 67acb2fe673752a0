namespace Rvs.Index;

/// <summary>
/// Bounded collection of the k best (id, dot) pairs seen so far. Kept as a heap with the worst candidate at the
/// root so that most rows of a brute-force scan are rejected by a single comparison against <see cref="Threshold"/>.
/// "Better" means larger dot product (smaller L2 distance on unit vectors); equal dots prefer the smaller id, which
/// makes results independent of row order and of how a parallel scan was split.
/// </summary>
internal sealed class TopK
{
    private readonly long[] _ids;
    private readonly float[] _dots;

    public TopK(int k)
    {
        _ids = new long[k];
        _dots = new float[k];
    }

    public int Count { get; private set; }

    public int Capacity => _ids.Length;

    public bool IsFull => Count == _ids.Length;

    /// <summary>Dot product of the current worst kept candidate; anything strictly below it cannot enter.</summary>
    public float Threshold => IsFull ? _dots[0] : float.NegativeInfinity;

    public void Offer(long id, float dot)
    {
        if (Count < _ids.Length)
        {
            var i = Count++;
            _ids[i] = id;
            _dots[i] = dot;
            SiftUp(i);
            return;
        }

        if (!Better(dot, id, _dots[0], _ids[0]))
        {
            return;
        }

        _ids[0] = id;
        _dots[0] = dot;
        SiftDown(0);
    }

    public void MergeFrom(TopK other)
    {
        for (var i = 0; i < other.Count; i++)
        {
            Offer(other._ids[i], other._dots[i]);
        }
    }

    /// <summary>Kept candidates as hits, nearest first.</summary>
    public VectorHit[] ToHits(Func<long, string?>? attributes = null)
    {
        var order = new int[Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (a, b) => Better(_dots[a], _ids[a], _dots[b], _ids[b]) ? -1 : Better(_dots[b], _ids[b], _dots[a], _ids[a]) ? 1 : 0);
        var hits = new VectorHit[order.Length];
        for (var i = 0; i < order.Length; i++)
        {
            var id = _ids[order[i]];
            hits[i] = new VectorHit(id, DistanceFromDot(_dots[order[i]]), attributes?.Invoke(id));
        }

        return hits;
    }

    /// <summary>L2 distance between unit vectors; clamped because rounding can push the dot a hair above 1.</summary>
    public static float DistanceFromDot(float dot) => MathF.Sqrt(MathF.Max(0f, 2f - 2f * dot));

    private static bool Better(float dotA, long idA, float dotB, long idB) => dotA > dotB || (dotA == dotB && idA < idB);

    private void SiftUp(int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) / 2;
            // The root must be the worst, so a child that is worse than its parent moves up.
            if (!Better(_dots[parent], _ids[parent], _dots[i], _ids[i]))
            {
                break;
            }

            Swap(i, parent);
            i = parent;
        }
    }

    private void SiftDown(int i)
    {
        while (true)
        {
            var left = 2 * i + 1;
            if (left >= Count)
            {
                break;
            }

            var worst = left;
            var right = left + 1;
            if (right < Count && Better(_dots[worst], _ids[worst], _dots[right], _ids[right]))
            {
                worst = right;
            }

            if (!Better(_dots[i], _ids[i], _dots[worst], _ids[worst]))
            {
                break;
            }

            Swap(i, worst);
            i = worst;
        }
    }

    private void Swap(int a, int b)
    {
        (_ids[a], _ids[b]) = (_ids[b], _ids[a]);
        (_dots[a], _dots[b]) = (_dots[b], _dots[a]);
    }
}
