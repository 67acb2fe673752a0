namespace Rvs.Index;

/// <summary>
/// Tuning of the HNSW graph. What the defaults reach at 13k and 1M vectors is measured in docs/BENCHMARKS.md
/// (`Rvs.Bench search`); at 1M they fall short of match recall 0.98 at 20x the exact scan's speed.
/// </summary>
/// <param name="Connectivity">Neighbours per node (HNSW "M"): more means better recall, more memory, slower build.</param>
/// <param name="ExpansionAdd">Candidate list size while inserting (efConstruction): more means a better graph, slower build.</param>
/// <param name="ExpansionSearch">Candidate list size while searching (ef): more means better recall, slower queries.</param>
/// <param name="SearchThreads">Concurrent searches allowed inside the native index; 0 means one per processor.
/// Callers beyond this wait rather than fail.</param>
public sealed record HnswOptions(int Connectivity = 16, int ExpansionAdd = 128, int ExpansionSearch = 64, int SearchThreads = 0)
{
    internal int EffectiveSearchThreads => SearchThreads > 0 ? SearchThreads : Environment.ProcessorCount;
}
