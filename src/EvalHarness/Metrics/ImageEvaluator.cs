using EvalHarness.Datasets;

namespace EvalHarness.Metrics;

/// <summary>
/// Phase 1 of the evaluation (pycocotools' <c>evaluateImg</c>): one image's predictions, in
/// evaluation order, against its ground truth, for all three settings at once. The result is
/// the image's contribution to the per-threshold proposal and true-positive counts, stored as
/// the steps where it changes (see <see cref="ImageEvalRecords"/>).
/// <para>
/// The matching is the port's <c>image_eval</c>: IoU with the +1 pixel convention, each
/// prediction takes the first ground-truth box of largest IoU; at IoU ≥ 0.5 a box not counted
/// in the setting drops the prediction (not a proposal), an unmatched counted box becomes
/// matched, and an already matched one leaves the prediction a false positive.
/// </para>
/// </summary>
internal sealed class ImageEvaluator
{
    public const int ThresholdCount = 1000;
    public const double IouThreshold = 0.5;

    /// <summary><c>thr_t = 1 − (t+1)/1000</c> evaluated in float64 exactly as the port does.</summary>
    public static readonly double[] Thresholds = BuildThresholds();

    private GtSoA _gt;
    private int[] _bestGt = new int[256];
    private int[] _firstThreshold = new int[256];
    private int[] _propCount = new int[256];
    private int[] _tpCount = new int[256];
    private sbyte[] _recall = new sbyte[256];
    private readonly int[] _lastIndexAt = new int[ThresholdCount];

    private static double[] BuildThresholds()
    {
        var thresholds = new double[ThresholdCount];
        for (var t = 0; t < ThresholdCount; t++) thresholds[t] = 1 - (t + 1) / (double)ThresholdCount;
        return thresholds;
    }

    /// <summary>
    /// The first threshold index t with <c>score ≥ thr_t</c> (thresholds fall with t, so the
    /// prediction counts at every later t too); <see cref="ThresholdCount"/> when it never counts.
    /// </summary>
    public static int FirstThreshold(double score)
    {
        var thresholds = Thresholds;
        if (!(score >= thresholds[ThresholdCount - 1])) return ThresholdCount;
        int lo = 0, hi = ThresholdCount - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (score >= thresholds[mid]) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    /// <summary>
    /// Evaluates one image and appends its steps to <paramref name="output"/>. An image with no
    /// boxes or no predictions adds no steps (the port skips it; its counted faces still count).
    /// </summary>
    public void Evaluate(GroundTruthImage gt, ReadOnlySpan<PredBox> predictions, ReadOnlySpan<double> normalizedScores, RecordsBuilder output)
    {
        var n = predictions.Length;
        output.BeginImage(gt);
        if (gt.Boxes.Length == 0 || n == 0)
        {
            output.EndImage();
            return;
        }
        EnsureCapacity(n, gt.Boxes.Length);
        _gt.Load(gt.Boxes);
        MatchBestBoxes(predictions);
        ComputeStepsIndices(normalizedScores, output);
        foreach (var setting in SettingExtensions.All)
        {
            MatchSetting(gt.Counted, setting.ToMask(), n);
            output.WriteSettingValues(setting, _propCount, _tpCount);
        }
        output.EndImage();
    }

    private void EnsureCapacity(int predictions, int boxes)
    {
        if (_bestGt.Length < predictions)
        {
            var size = Math.Max(predictions, _bestGt.Length * 2);
            _bestGt = new int[size];
            _firstThreshold = new int[size];
            _propCount = new int[size];
            _tpCount = new int[size];
        }
        if (_recall.Length < boxes) _recall = new sbyte[Math.Max(boxes, _recall.Length * 2)];
    }

    /// <summary>
    /// For each prediction, the index of the first box with the largest IoU when that IoU is ≥ 0.5,
    /// else −1. Arithmetic follows the port's Cython <c>bbox_overlaps</c> operation by operation
    /// (min/max as <c>b &lt; a ? b : a</c>, <c>ua = (pred_area + gt_area) − iw·ih</c>), so IoUs
    /// exactly at 0.5 fall the same way. The same for every setting, so computed once.
    /// </summary>
    private void MatchBestBoxes(ReadOnlySpan<PredBox> predictions)
    {
        var g = _gt.Count;
        var gx1 = _gt.X1.AsSpan(0, g);
        var gy1 = _gt.Y1.AsSpan(0, g);
        var gx2 = _gt.X2.AsSpan(0, g);
        var gy2 = _gt.Y2.AsSpan(0, g);
        var garea = _gt.Area.AsSpan(0, g);
        for (var h = 0; h < predictions.Length; h++)
        {
            var p = predictions[h];
            var px1 = p.X;
            var py1 = p.Y;
            var px2 = p.W + p.X;
            var py2 = p.H + p.Y;
            var parea = (px2 - px1 + 1) * (py2 - py1 + 1);
            var best = 0.0;
            var bestIndex = 0;
            var sawNaN = false;
            for (var k = 0; k < gx1.Length; k++)
            {
                var iw = Min(px2, gx2[k]) - Max(px1, gx1[k]) + 1;
                double overlap = 0;
                if (iw > 0)
                {
                    var ih = Min(py2, gy2[k]) - Max(py1, gy1[k]) + 1;
                    if (ih > 0)
                    {
                        var ua = parea + garea[k] - iw * ih;
                        overlap = iw * ih / ua;
                    }
                }
                // numpy's max/argmax: the first largest value; a NaN anywhere makes the max NaN.
                if (overlap > best)
                {
                    best = overlap;
                    bestIndex = k;
                }
                else if (double.IsNaN(overlap))
                {
                    sawNaN = true;
                }
            }
            _bestGt[h] = !sawNaN && best >= IouThreshold ? bestIndex : -1;
        }
    }

    // Cython's min(a, b) / max(a, b) on doubles.
    private static double Min(double a, double b) => b < a ? b : a;
    private static double Max(double a, double b) => b > a ? b : a;

    /// <summary>
    /// <c>r_t</c>, the last prediction with normalised score ≥ <c>thr_t</c>, for every t; the steps
    /// are the thresholds where <c>r_t</c> changes. Shared by all settings.
    /// </summary>
    private void ComputeStepsIndices(ReadOnlySpan<double> scores, RecordsBuilder output)
    {
        var lastAt = _lastIndexAt.AsSpan();
        lastAt.Fill(-1);
        for (var i = 0; i < scores.Length; i++)
        {
            var t = FirstThreshold(scores[i]);
            if (t < ThresholdCount) lastAt[t] = i; // i rises, so this keeps the largest index
        }
        var r = -1;
        for (var t = 0; t < ThresholdCount; t++)
        {
            if (lastAt[t] > r)
            {
                r = lastAt[t];
                output.AddStep(t, r);
            }
        }
    }

    /// <summary>The port's per-setting walk: running proposal count and running matched-box count after each prediction.</summary>
    private void MatchSetting(SettingMask[] counted, SettingMask mask, int n)
    {
        var recall = _recall.AsSpan(0, counted.Length);
        recall.Clear();
        var proposals = 0;
        var matched = 0;
        for (var h = 0; h < n; h++)
        {
            var b = _bestGt[h];
            var isProposal = true;
            if (b >= 0)
            {
                if ((counted[b] & mask) == 0)
                {
                    recall[b] = -1;
                    isProposal = false;
                }
                else if (recall[b] == 0)
                {
                    recall[b] = 1;
                    matched++;
                }
            }
            if (isProposal) proposals++;
            _propCount[h] = proposals;
            _tpCount[h] = matched;
        }
    }

    /// <summary>Ground-truth corners and areas in the port's convention (<c>x2 = w + x</c>, area with +1).</summary>
    private struct GtSoA
    {
        public double[] X1, Y1, X2, Y2, Area;
        public int Count;

        public void Load(GtBox[] boxes)
        {
            if (X1 is null || X1.Length < boxes.Length)
            {
                var size = Math.Max(boxes.Length, 256);
                X1 = new double[size];
                Y1 = new double[size];
                X2 = new double[size];
                Y2 = new double[size];
                Area = new double[size];
            }
            Count = boxes.Length;
            for (var i = 0; i < boxes.Length; i++)
            {
                var b = boxes[i];
                X1[i] = b.X;
                Y1[i] = b.Y;
                X2[i] = b.W + b.X;
                Y2[i] = b.H + b.Y;
                Area[i] = (X2[i] - X1[i] + 1) * (Y2[i] - Y1[i] + 1);
            }
        }
    }
}
