using Rvs.Evaluation;
using Rvs.Index;

namespace Rvs.Tests.Evaluation;

public class DbscanBaselineTests
{
    [Fact]
    public void core_faces_chain_border_faces_join_and_a_lone_face_stays_alone()
    {
        // Angles (radians) on the unit circle; distance 2·sin(Δ/2). Within 0.25: 0.0–0.1–0.2 (cores, three faces
        // each within reach), 0.4 is within reach of 0.2 only (a border face), 2.0 is alone.
        double[] angles = [0.0, 0.1, 0.2, 0.4, 2.0];
        var vectors = angles.SelectMany(a => new[] { (float)Math.Cos(a), (float)Math.Sin(a) }).ToArray();
        var set = new EmbeddingSet([.. angles.Select((_, i) => $"p/{i}.jpg")], vectors, 2, new bool[angles.Length], 0);
        using var index = new ExactVectorIndex(2);
        index.Add([.. Enumerable.Range(0, angles.Length).Select(i => (long)i)], vectors);

        var clusters = new DbscanBaseline(MaxDistance: 0.25f, MinFaces: 3, Neighbours: 4).Cluster(set, index);

        Assert.Equal(clusters[0], clusters[1]);
        Assert.Equal(clusters[0], clusters[2]);
        Assert.Equal(clusters[0], clusters[3]);
        Assert.NotEqual(clusters[0], clusters[4]);
    }
}
