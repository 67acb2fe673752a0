namespace Rvs.People;

/// <summary>
/// The two distances clustering decides by, and the two work bounds that keep its cost per face fixed.
/// </summary>
/// <param name="LinkDistance">
/// A face is only considered for a person when one of its neighbours in that person is nearer than this. Chosen far
/// into the different-person tail (<see cref="ClusteringThresholds"/>), because every face meets thousands of
/// strangers in a collection and the nearest of them must rarely pass.
/// </param>
/// <param name="MergeDistance">
/// Two groups become one only when the mean distance between their (sampled) members is below this: the
/// same/different-person boundary measured on pairs. A mean over many pairs varies far less than one pair, so the
/// balanced boundary is safe for groups although it would be far too loose for single nearest neighbours.
/// </param>
/// <param name="Neighbours">How many nearest faces each face asks the index for: the work bound of one face.</param>
/// <param name="Representatives">How many members of a group stand for it in a mean distance: bounds a merge's cost.</param>
public sealed record ClusteringOptions(float LinkDistance, float MergeDistance, int Neighbours = 32, int Representatives = 16)
{
    public void Validate()
    {
        if (!(LinkDistance > 0 && LinkDistance <= 2) || !(MergeDistance > 0 && MergeDistance <= 2))
        {
            throw new ArgumentException($"clustering distances must be in (0, 2] between unit vectors; got link {LinkDistance}, merge {MergeDistance}");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(Neighbours, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(Representatives, 1);
    }
}
