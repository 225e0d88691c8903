using ILGPU;
using ILGPU.Algorithms;
using static ILGPU.IntrinsicMath;

namespace EvalHarness.PostProcessing;

/// <summary>
/// Greedy NMS and Fast NMS on the device. Greedy NMS is the bitmask formulation: one kernel
/// writes, for every entrant i and every 64-wide column tile, a word whose bit k says "entrant
/// tile·64+k comes after i and overlaps it above τiou"; then one thread group per image walks the
/// row tiles in score order keeping a removed-bitmap (sequential inside a tile, parallel across
/// the later tiles), so the only sequential part runs on the device and the host waits once per
/// batch. Large inputs are cut into bands of row tiles so the mask stays within a fixed budget. The IoU is <see cref="BoxIou"/>'s over <see cref="CudaFloatOps"/>, with the later
/// entrant as box a, as in the oracle.
/// </summary>
internal static class NmsKernels
{
    public const int Tile = 64;

    public static void Emit(SortedViews sorted, int p, int o, OutputViews output)
    {
        output.Flat[o] = sorted.Flat[p];
        output.Score[o] = sorted.Score[p];
        output.X1[o] = sorted.X1[p];
        output.Y1[o] = sorted.Y1[p];
        output.X2[o] = sorted.X2[p];
        output.Y2[o] = sorted.Y2[p];
    }

    /// <summary>
    /// The group copies the boxes of entrants <paramref name="start"/> … +<see cref="Tile"/>−1 of the
    /// image into shared memory and waits for all of it; returns how many there are.
    /// </summary>
    private static int LoadTile(ImageSlot slot, SortedViews sorted, int start,
        ArrayView<float> x1, ArrayView<float> y1, ArrayView<float> x2, ArrayView<float> y2)
    {
        var count = XMath.Min(Tile, slot.N - start);
        for (var k = Group.IdxX; k < count; k += Group.DimX)
        {
            var p = slot.Packed + start + k;
            x1[k] = sorted.X1[p];
            y1[k] = sorted.Y1[p];
            x2[k] = sorted.X2[p];
            y2[k] = sorted.Y2[p];
        }
        Group.Barrier();
        return count;
    }

    /// <summary>
    /// Grid (column tile, row tile of the band, image); any group size up to <see cref="Tile"/>
    /// (64 on a GPU): thread t owns rows rowTile·64+t, +groupSize, … and compares each with the
    /// column tile held in shared memory. Only the row tiles from <paramref name="bandStart"/> on
    /// are written, each image's band at <see cref="ImageSlot.MaskOffset"/>, so the mask buffer
    /// holds one band of rows (bounded) rather than N² bits of a large input.
    /// </summary>
    public static void Mask(ArrayView<ImageSlot> slots, SortedViews sorted, NmsParameters p, int bandStart, ArrayView<ulong> mask)
    {
        var slot = slots[Grid.IdxZ];
        var colTile = Grid.IdxX;
        var rowTile = bandStart + Grid.IdxY;
        // Tiles left of the diagonal hold only earlier entrants; the keep pass never reads them.
        if (rowTile >= slot.ColBlocks || colTile >= slot.ColBlocks || colTile < rowTile) return;

        var cx1 = SharedMemory.Allocate<float>(Tile);
        var cy1 = SharedMemory.Allocate<float>(Tile);
        var cx2 = SharedMemory.Allocate<float>(Tile);
        var cy2 = SharedMemory.Allocate<float>(Tile);
        var t = Group.IdxX;
        var threads = Group.DimX;
        var colStart = colTile * Tile;
        var colCount = LoadTile(slot, sorted, colStart, cx1, cy1, cx2, cy2);

        var rowEnd = XMath.Min(rowTile * Tile + Tile, slot.N);
        for (var i = rowTile * Tile + t; i < rowEnd; i += threads)
        {
            var r = slot.Packed + i;
            float rx1 = sorted.X1[r], ry1 = sorted.Y1[r], rx2 = sorted.X2[r], ry2 = sorted.Y2[r];
            ulong word = 0;
            for (var k = 0; k < colCount; k++)
            {
                if (colStart + k <= i) continue;
                if (BoxIou.Iou<CudaFloatOps>(cx1[k], cy1[k], cx2[k], cy2[k], rx1, ry1, rx2, ry2) > p.IouThreshold) word |= 1UL << k;
            }
            mask[MaskRow(slot, i, bandStart) + colTile] = word;
        }
    }

    /// <summary>Index of row <paramref name="i"/>'s first word in the band that starts at row tile <paramref name="bandStart"/>.</summary>
    private static long MaskRow(ImageSlot slot, int i, int bandStart) =>
        slot.MaskOffset + (long)(i - (bandStart * Tile)) * slot.ColBlocks;

    /// <summary>
    /// The keep pass over the row tiles [<paramref name="bandStart"/>, <paramref name="bandEnd"/>),
    /// one thread group per image. Greedy NMS is sequential only inside a 64-row tile: thread 0
    /// resolves the tile's rows against its removed word and the tile's diagonal mask words, then
    /// the group writes the kept rows out (their slots follow from a popcount) and ORs their mask
    /// rows into the removed words of every later tile in parallel. Two barriers per tile instead
    /// of one thread walking every row. The removed bitmap and the kept count
    /// (<see cref="OutputViews.Count"/>) carry over from one band's launch to the next.
    /// </summary>
    public static void Keep(ArrayView<ImageSlot> slots, SortedViews sorted, ArrayView<ulong> mask, ArrayView<ulong> removed, int bandStart, int bandEnd, OutputViews output)
    {
        var image = Grid.IdxX;
        var slot = slots[image];
        var t = Group.IdxX;
        var threads = Group.DimX;
        var keptBits = SharedMemory.Allocate<ulong>(1);
        if (bandStart == 0)
        {
            for (var c = t; c < slot.ColBlocks; c += threads) removed[slot.RemovedOffset + c] = 0;
            Group.Barrier();
        }

        var kept = bandStart == 0 ? 0 : output.Count[image];
        var end = XMath.Min(bandEnd, slot.ColBlocks);
        for (var tile = bandStart; tile < end && kept < slot.OutCap; tile++)
        {
            var tileStart = tile * Tile;
            if (t == 0)
            {
                var word = removed[slot.RemovedOffset + tile];
                var rows = XMath.Min(Tile, slot.N - tileStart);
                var room = slot.OutCap - kept;
                ulong keep = 0;
                var taken = 0;
                for (var k = 0; k < rows && taken < room; k++)
                {
                    if (((word >> k) & 1UL) != 0) continue;
                    keep |= 1UL << k;
                    taken++;
                    word |= mask[MaskRow(slot, tileStart + k, bandStart) + tile];
                }
                keptBits[0] = keep;
            }
            Group.Barrier();

            var bits = keptBits[0];
            for (var k = t; k < Tile; k += threads)
            {
                if (((bits >> k) & 1UL) == 0) continue;
                var rank = BitOperations.PopCount(bits & ((1UL << k) - 1UL));
                Emit(sorted, slot.Packed + tileStart + k, slot.OutOffset + kept + rank, output);
            }
            for (var col = tile + 1 + t; col < slot.ColBlocks; col += threads)
            {
                var word = removed[slot.RemovedOffset + col];
                var rest = bits;
                while (rest != 0)
                {
                    var k = BitOperations.TrailingZeroCount(rest);
                    rest &= rest - 1UL;
                    word |= mask[MaskRow(slot, tileStart + k, bandStart) + col];
                }
                removed[slot.RemovedOffset + col] = word;
            }
            kept += BitOperations.PopCount(bits);
            // Thread 0 reads the next tile's removed word and rewrites the shared bits only after
            // every thread is done with this tile.
            Group.Barrier();
        }
        if (t == 0) output.Count[image] = kept;
    }

    /// <summary>
    /// Fast NMS, grid (column tile, row tile, image), any group size up to <see cref="Tile"/>:
    /// thread t owns columns j = colTile·64+t, +groupSize, … and flags j when any earlier entrant
    /// of the row tile overlaps it above τiou (kept or not: YOLACT's column max over the
    /// upper-triangular IoU).
    /// </summary>
    public static void FastSuppress(ArrayView<ImageSlot> slots, SortedViews sorted, NmsParameters p, ArrayView<int> suppressed)
    {
        var slot = slots[Grid.IdxZ];
        var colTile = Grid.IdxX;
        var rowTile = Grid.IdxY;
        if (rowTile >= slot.ColBlocks || colTile >= slot.ColBlocks || rowTile > colTile) return;

        var rx1 = SharedMemory.Allocate<float>(Tile);
        var ry1 = SharedMemory.Allocate<float>(Tile);
        var rx2 = SharedMemory.Allocate<float>(Tile);
        var ry2 = SharedMemory.Allocate<float>(Tile);
        var t = Group.IdxX;
        var threads = Group.DimX;
        var rowStart = rowTile * Tile;
        var rowCount = LoadTile(slot, sorted, rowStart, rx1, ry1, rx2, ry2);

        var colEnd = XMath.Min(colTile * Tile + Tile, slot.N);
        for (var j = colTile * Tile + t; j < colEnd; j += threads)
        {
            var q = slot.Packed + j;
            float x1 = sorted.X1[q], y1 = sorted.Y1[q], x2 = sorted.X2[q], y2 = sorted.Y2[q];
            for (var k = 0; k < rowCount; k++)
            {
                if (rowStart + k >= j) break;
                if (BoxIou.Iou<CudaFloatOps>(x1, y1, x2, y2, rx1[k], ry1[k], rx2[k], ry2[k]) > p.IouThreshold)
                {
                    // Every writer writes 1, so the race is benign.
                    suppressed[q] = 1;
                    break;
                }
            }
        }
    }

    /// <summary>Fast NMS output: the unflagged entrants of each image in score order, at most keepTopK.</summary>
    public static void FastCompact(Index1D image, ArrayView<ImageSlot> slots, SortedViews sorted, ArrayView<int> suppressed, OutputViews output)
    {
        var slot = slots[image];
        var kept = 0;
        for (var j = 0; j < slot.N && kept < slot.OutCap; j++)
        {
            if (suppressed[slot.Packed + j] != 0) continue;
            Emit(sorted, slot.Packed + j, slot.OutOffset + kept, output);
            kept++;
        }
        output.Count[image] = kept;
    }
}
