using ILGPU;
using ILGPU.Algorithms;

namespace EvalHarness.PostProcessing;

/// <summary>
/// Soft-NMS and weighted NMS, one thread group per image (iterative by definition; correctness
/// first). The per-candidate work of an iteration is spread over the group; the choices that fix
/// the result (arg-max with the (score desc, flat asc) tie rule, cluster sums in sorted order)
/// follow the oracle exactly. Soft-NMS-gaussian uses the device's exp, so its scores agree with
/// the oracle to the spec's 1e-5 relative, not bit for bit.
/// </summary>
internal static class SoftNmsKernels
{
    /// <summary>The largest group the kernels accept (the shared reduction array); launches use a power of two up to it.</summary>
    public const int MaxGroupSize = 64;

    private const int Alive = 0;
    private const int Removed = 1;
    private const int Member = 2;

    /// <summary>
    /// Grid (image), a power-of-two group of at most <see cref="MaxGroupSize"/> threads; the decay
    /// is an operator struct, so each of the two soft-NMS variants is its own specialised kernel.
    /// </summary>
    public static void SoftNms<TDecay>(
        ArrayView<ImageSlot> slots, SortedViews sorted, NmsParameters p,
        ArrayView<float> work, ArrayView<int> state, OutputViews output)
        where TDecay : struct, IScoreDecay
    {
        var image = Grid.IdxX;
        var slot = slots[image];
        var t = Group.IdxX;
        var threads = Group.DimX;
        var best = SharedMemory.Allocate<int>(MaxGroupSize);
        var p0 = slot.Packed;
        for (var j = t; j < slot.N; j += threads)
        {
            work[p0 + j] = sorted.Score[p0 + j];
            state[p0 + j] = Alive;
        }
        Group.Barrier();

        var kept = 0;
        while (kept < slot.OutCap)
        {
            var mine = -1;
            for (var j = t; j < slot.N; j += threads)
            {
                if (state[p0 + j] != Alive) continue;
                if (mine < 0 || ScoreOrder.Precedes(work[p0 + j], sorted.Flat[p0 + j], work[p0 + mine], sorted.Flat[p0 + mine])) mine = j;
            }
            best[t] = mine;
            Group.Barrier();
            for (var stride = threads / 2; stride > 0; stride >>= 1)
            {
                if (t < stride)
                {
                    var a = best[t];
                    var b = best[t + stride];
                    if (b >= 0 && (a < 0 || ScoreOrder.Precedes(work[p0 + b], sorted.Flat[p0 + b], work[p0 + a], sorted.Flat[p0 + a]))) best[t] = b;
                }
                Group.Barrier();
            }
            var top = best[0];
            if (top < 0) break;

            var pt = p0 + top;
            float tx1 = sorted.X1[pt], ty1 = sorted.Y1[pt], tx2 = sorted.X2[pt], ty2 = sorted.Y2[pt];
            if (t == 0)
            {
                var o = slot.OutOffset + kept;
                output.Flat[o] = sorted.Flat[pt];
                output.Score[o] = work[pt];
                output.X1[o] = tx1;
                output.Y1[o] = ty1;
                output.X2[o] = tx2;
                output.Y2[o] = ty2;
            }
            for (var j = t; j < slot.N; j += threads)
            {
                var q = p0 + j;
                // The top's owner retires it: only the owner ever reads a candidate's state in
                // the arg-max scan, so no extra barrier is needed for it.
                if (j == top) state[q] = Removed;
                if (state[q] != Alive) continue;
                var iou = BoxIou.Iou<CudaFloatOps>(sorted.X1[q], sorted.Y1[q], sorted.X2[q], sorted.Y2[q], tx1, ty1, tx2, ty2);
                var s = TDecay.Apply(work[q], iou, p.IouThreshold, p.Sigma);
                work[q] = s;
                if (s < p.ScoreThreshold) state[q] = Removed;
            }
            // Decayed scores must be visible to the next reduction, and best[0] read by all.
            Group.Barrier();
            kept++;
        }
        if (t == 0) output.Count[image] = kept;
    }

    /// <summary>
    /// Weighted NMS, grid (image), any group of at most <see cref="MaxGroupSize"/>. Per top: each
    /// thread scans one contiguous block of the later entrants and retires the cluster members it
    /// finds, a scan of the per-thread counts places them, in sorted order, in a member list, and
    /// thread 0 sums that list in order (float32, starting with the top, as the oracle does). The
    /// serial part is the cluster, not the whole candidate list.
    /// </summary>
    public static void WeightedNms(
        ArrayView<ImageSlot> slots, SortedViews sorted, NmsParameters p, ArrayView<int> state, ArrayView<int> members, OutputViews output)
    {
        var image = Grid.IdxX;
        var slot = slots[image];
        var t = Group.IdxX;
        var threads = Group.DimX;
        var p0 = slot.Packed;
        var offsets = SharedMemory.Allocate<int>(MaxGroupSize + 1);
        for (var j = t; j < slot.N; j += threads) state[p0 + j] = Alive;

        var kept = 0;
        for (var top = 0; top < slot.N && kept < slot.OutCap; top++)
        {
            Group.Barrier();
            var pt = p0 + top;
            if (state[pt] != Alive) continue;
            float tx1 = sorted.X1[pt], ty1 = sorted.Y1[pt], tx2 = sorted.X2[pt], ty2 = sorted.Y2[pt];

            var chunk = (slot.N - top - 1 + threads - 1) / threads;
            var lo = top + 1 + t * chunk;
            var hi = XMath.Min(lo + chunk, slot.N);
            var found = 0;
            for (var j = lo; j < hi; j++)
            {
                var q = p0 + j;
                if (state[q] != Alive) continue;
                if (BoxIou.Iou<CudaFloatOps>(sorted.X1[q], sorted.Y1[q], sorted.X2[q], sorted.Y2[q], tx1, ty1, tx2, ty2) > p.IouThreshold)
                {
                    state[q] = Member;
                    found++;
                }
            }
            offsets[t + 1] = found;
            Group.Barrier();
            if (t == 0)
            {
                offsets[0] = 0;
                for (var k = 1; k <= threads; k++) offsets[k] += offsets[k - 1];
            }
            Group.Barrier();
            var at = offsets[t];
            for (var j = lo; j < hi; j++)
            {
                var q = p0 + j;
                if (state[q] != Member) continue;
                state[q] = Removed;
                members[p0 + at++] = j;
            }
            Group.Barrier();
            if (t == 0)
            {
                state[pt] = Removed;
                var st = sorted.Score[pt];
                var cluster = new ClusterSum<CudaFloatOps>(st, tx1, ty1, tx2, ty2);
                var clusterSize = offsets[threads];
                for (var k = 0; k < clusterSize; k++)
                {
                    var q = p0 + members[p0 + k];
                    cluster.Add(sorted.Score[q], sorted.X1[q], sorted.Y1[q], sorted.X2[q], sorted.Y2[q]);
                }
                var o = slot.OutOffset + kept;
                output.Flat[o] = sorted.Flat[pt];
                output.Score[o] = st;
                output.X1[o] = cluster.X1;
                output.Y1[o] = cluster.Y1;
                output.X2[o] = cluster.X2;
                output.Y2[o] = cluster.Y2;
            }
            kept++;
        }
        if (t == 0) output.Count[image] = kept;
    }
}

/// <summary>A soft-NMS score decay chosen at kernel compile time (<see cref="Decay"/>, the oracle's own definitions).</summary>
internal interface IScoreDecay
{
    static abstract float Apply(float score, float iou, float iouThreshold, float sigma);
}

/// <summary><c>s·(1 − IoU)</c> where IoU &gt; τiou.</summary>
internal readonly struct LinearDecay : IScoreDecay
{
    public static float Apply(float score, float iou, float iouThreshold, float sigma) =>
        iou > iouThreshold ? Decay.Linear<CudaFloatOps>(score, iou) : score;
}

/// <summary><c>s·exp(−IoU²/σ)</c> for every overlap (the device's exp: 1e-5 relative, not bit-exact).</summary>
internal readonly struct GaussianDecay : IScoreDecay
{
    public static float Apply(float score, float iou, float iouThreshold, float sigma) =>
        Decay.Gaussian<CudaFloatOps>(score, iou, sigma);
}
