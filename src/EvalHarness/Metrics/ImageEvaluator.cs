using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
            _propCount = new int[size];
            _tpCount = new int[size];
        }
        if (_recall.Length < boxes) _recall = new sbyte[Math.Max(boxes, _recall.Length * 2)];
    }

    private void MatchBestBoxes(ReadOnlySpan<PredBox> predictions)
    {
        var g = _gt.Count;
        var boxes = new GtCorners(_gt.X1.AsSpan(0, g), _gt.Y1.AsSpan(0, g), _gt.X2.AsSpan(0, g), _gt.Y2.AsSpan(0, g), _gt.Area.AsSpan(0, g));
        var best = _bestGt.AsSpan(0, predictions.Length);
        if (Vector256.IsHardwareAccelerated && g >= Vector256<double>.Count) BestBoxesVector256(predictions, boxes, best);
        else BestBoxesScalar(predictions, boxes, best);
    }

    /// <summary>Ground-truth corners and +1 areas, structure of arrays.</summary>
    internal readonly ref struct GtCorners(ReadOnlySpan<double> x1, ReadOnlySpan<double> y1, ReadOnlySpan<double> x2, ReadOnlySpan<double> y2, ReadOnlySpan<double> area)
    {
        public readonly ReadOnlySpan<double> X1 = x1, Y1 = y1, X2 = x2, Y2 = y2, Area = area;
        public int Count => X1.Length;
    }

    /// <summary>
    /// For each prediction, the index of the first box with the largest IoU when that IoU is ≥ 0.5,
    /// else −1. Arithmetic follows the port's Cython <c>bbox_overlaps</c> operation by operation
    /// (min/max as <c>b &lt; a ? b : a</c>, <c>ua = (pred_area + gt_area) − iw·ih</c>), so IoUs
    /// exactly at 0.5 fall the same way. The same for every setting, so computed once.
    /// </summary>
    internal static void BestBoxesScalar(ReadOnlySpan<PredBox> predictions, GtCorners gt, Span<int> best)
    {
        for (var h = 0; h < predictions.Length; h++)
        {
            var p = predictions[h];
            var px1 = p.X;
            var py1 = p.Y;
            var px2 = p.W + p.X;
            var py2 = p.H + p.Y;
            var parea = (px2 - px1 + 1) * (py2 - py1 + 1);
            var max = 0.0;
            var maxIndex = 0;
            var sawNaN = false;
            ScanScalar(px1, py1, px2, py2, parea, gt, 0, ref max, ref maxIndex, ref sawNaN);
            best[h] = !sawNaN && max >= IouThreshold ? maxIndex : -1;
        }
    }

    /// <summary>The scalar IoU scan over boxes <paramref name="start"/>.. (numpy's max/argmax: first largest; any NaN makes the max NaN).</summary>
    private static void ScanScalar(double px1, double py1, double px2, double py2, double parea, GtCorners gt, int start,
        ref double max, ref int maxIndex, ref bool sawNaN)
    {
        for (var k = start; k < gt.Count; k++)
        {
            var iw = Min(px2, gt.X2[k]) - Max(px1, gt.X1[k]) + 1;
            double overlap = 0;
            if (iw > 0)
            {
                var ih = Min(py2, gt.Y2[k]) - Max(py1, gt.Y1[k]) + 1;
                if (ih > 0)
                {
                    var ua = parea + gt.Area[k] - iw * ih;
                    overlap = iw * ih / ua;
                }
            }
            if (overlap > max)
            {
                max = overlap;
                maxIndex = k;
            }
            else if (double.IsNaN(overlap))
            {
                sawNaN = true;
            }
        }
    }

    /// <summary>
    /// The same scan four boxes at a time. Every lane does the scalar operations in the scalar
    /// order (selects instead of Math.Min/Max, no fused multiply-add), keeps its own first
    /// maximum, and the lanes are merged by value, then lowest index; the tail runs scalar.
    /// </summary>
    internal static void BestBoxesVector256(ReadOnlySpan<PredBox> predictions, GtCorners gt, Span<int> best)
    {
        var n = gt.Count;
        var vectorEnd = n - n % Vector256<double>.Count;
        var one = Vector256<double>.One;
        var zero = Vector256<double>.Zero;
        var step = Vector256.Create((double)Vector256<double>.Count);
        ref var gx1 = ref MemoryMarshal.GetReference(gt.X1);
        ref var gy1 = ref MemoryMarshal.GetReference(gt.Y1);
        ref var gx2 = ref MemoryMarshal.GetReference(gt.X2);
        ref var gy2 = ref MemoryMarshal.GetReference(gt.Y2);
        ref var garea = ref MemoryMarshal.GetReference(gt.Area);
        for (var h = 0; h < predictions.Length; h++)
        {
            var p = predictions[h];
            var px1s = p.X;
            var py1s = p.Y;
            var px2s = p.W + p.X;
            var py2s = p.H + p.Y;
            var pareas = (px2s - px1s + 1) * (py2s - py1s + 1);
            var px1 = Vector256.Create(px1s);
            var py1 = Vector256.Create(py1s);
            var px2 = Vector256.Create(px2s);
            var py2 = Vector256.Create(py2s);
            var parea = Vector256.Create(pareas);
            var laneMax = zero;
            var laneIndex = zero;
            var index = Vector256.Create(0.0, 1.0, 2.0, 3.0);
            var nan = Vector256<double>.Zero;
            for (var k = 0; k < vectorEnd; k += Vector256<double>.Count)
            {
                var bx1 = Vector256.LoadUnsafe(ref gx1, (nuint)k);
                var by1 = Vector256.LoadUnsafe(ref gy1, (nuint)k);
                var bx2 = Vector256.LoadUnsafe(ref gx2, (nuint)k);
                var by2 = Vector256.LoadUnsafe(ref gy2, (nuint)k);
                var iw = Min(px2, bx2) - Max(px1, bx1) + one;
                var ih = Min(py2, by2) - Max(py1, by1) + one;
                var inter = iw * ih;
                var ua = parea + Vector256.LoadUnsafe(ref garea, (nuint)k) - inter;
                var valid = Vector256.GreaterThan(iw, zero) & Vector256.GreaterThan(ih, zero);
                var overlap = Vector256.ConditionalSelect(valid, inter / ua, zero);
                var better = Vector256.GreaterThan(overlap, laneMax);
                laneMax = Vector256.ConditionalSelect(better, overlap, laneMax);
                laneIndex = Vector256.ConditionalSelect(better, index, laneIndex);
                nan |= ~Vector256.Equals(overlap, overlap);
                index += step;
            }
            var max = 0.0;
            var maxIndex = 0;
            for (var lane = 0; lane < Vector256<double>.Count; lane++)
            {
                var value = laneMax.GetElement(lane);
                var at = (int)laneIndex.GetElement(lane);
                if (value > max || (value == max && value > 0 && at < maxIndex))
                {
                    max = value;
                    maxIndex = at;
                }
            }
            var sawNaN = nan != Vector256<double>.Zero;
            ScanScalar(px1s, py1s, px2s, py2s, pareas, gt, vectorEnd, ref max, ref maxIndex, ref sawNaN);
            best[h] = !sawNaN && max >= IouThreshold ? maxIndex : -1;
        }
    }

    // Cython's min(a, b) / max(a, b) on doubles.
    private static double Min(double a, double b) => b < a ? b : a;
    private static double Max(double a, double b) => b > a ? b : a;
    private static Vector256<double> Min(Vector256<double> a, Vector256<double> b) => Vector256.ConditionalSelect(Vector256.LessThan(b, a), b, a);
    private static Vector256<double> Max(Vector256<double> a, Vector256<double> b) => Vector256.ConditionalSelect(Vector256.GreaterThan(b, a), b, a);

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
