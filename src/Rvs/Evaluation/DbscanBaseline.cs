using Rvs.Index;

namespace Rvs.Evaluation;

/// <summary>
/// The DBSCAN-style rule Immich groups faces by, as a baseline on the same embeddings and neighbours: a face with at
/// least <paramref name="MinFaces"/> faces (itself included) within <paramref name="MaxDistance"/> is a core face; core
/// faces within that distance of each other share a person, and other faces join the person of a core face within
/// it. Immich's defaults are a cosine distance of 0.5 (an L2 distance of 1.0 between unit vectors) and 3 faces.
/// Neighbours come from the same k-nearest search, so a face's reach is capped at <paramref name="Neighbours"/>.
/// </summary>
public sealed record DbscanBaseline(float MaxDistance = 1.0f, int MinFaces = 3, int Neighbours = 32)
{
    /// <summary>Cluster id per row (noise faces are clusters of their own).</summary>
    public long[] Cluster(EmbeddingSet set, IVectorIndex index)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(index);
        var near = new long[set.Count][];
        Parallel.For(0, set.Count, i =>
            near[i] = [.. index.Search(set.Row(i), Neighbours + 1).Where(h => h.Distance <= MaxDistance && h.Id != i).Select(h => h.Id)]);
        var core = near.Select(n => n.Length + 1 >= MinFaces).ToArray();
        var parent = Enumerable.Range(0, set.Count).Select(i => (long)i).ToArray();
        long Find(long x)
        {
            while (parent[x] != x)
            {
                x = parent[x] = parent[parent[x]];
            }

            return x;
        }

        var attached = new bool[set.Count];
        for (var i = 0; i < set.Count; i++)
        {
            if (!core[i])
            {
                continue;
            }

            foreach (var j in near[i])
            {
                if (core[j])
                {
                    parent[Find(i)] = Find(j);
                }
                else if (!attached[j])
                {
                    attached[j] = true;
                    parent[j] = Find(i);
                }
            }
        }

        return [.. Enumerable.Range(0, set.Count).Select(i => Find(i))];
    }
}
