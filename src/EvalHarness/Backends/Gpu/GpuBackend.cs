using System.Diagnostics;
using System.Numerics;
using EvalHarness.PostProcessing;
using ILGPU;
using ILGPU.Runtime;

namespace EvalHarness.Backends.Gpu;

/// <summary>
/// The <c>gpu</c> backend (ILGPU; CUDA, else OpenCL). A batch of images is one launch sequence:
/// one upload from page-locked staging → score filter or grid stage (per cell, all levels of all
/// images) → one read of the per-image counts → radix sort by (image, score desc, flat asc) →
/// gather → NMS-family kernel with its sequential part on the device (greedy NMS: mask in bands
/// of bounded size, keep pass parallel across tiles) → packing of the kept detections → one read
/// of their offsets and one of exactly the kept detections. Results equal the scalar oracle under
/// the spec's equivalence rule. Construction through <see cref="TryCreate(out string)"/> reports
/// "unavailable" when there is no GPU, so runs say "n/a"; a device failure during a run throws
/// <see cref="GpuBackendException"/>.
/// </summary>
internal sealed class GpuBackend : IPostProcessingBackend
{
    private readonly GpuContext _gpu;
    private readonly GpuKernels _kernels;
    private readonly Accelerator _accelerator;
    private readonly GpuWorkspace _ws = new();
    private readonly GpuNmsStage _nms;
    private readonly CandidateMap[] _single = new CandidateMap[1];
    private readonly DetectionList[] _singleOut = new DetectionList[1];

    private GpuBackend(GpuContext gpu)
    {
        _gpu = gpu;
        _accelerator = gpu.Accelerator;
        try
        {
            _kernels = new GpuKernels(_accelerator);
            // 64 threads per tile on a GPU. The CPU simulator runs every group thread as an OS
            // thread and its barriers cost milliseconds, so tests use small groups; the kernels
            // stride by the group size, so both run the same code.
            GroupSize = IsSimulator ? 4 : NmsKernels.Tile;
            _nms = new GpuNmsStage(_kernels, _ws, _accelerator, GroupSize);
        }
        catch (Exception ex) when (ex is AcceleratorException or InternalCompilerException or InvalidOperationException or NotSupportedException)
        {
            gpu.Dispose();
            throw new GpuBackendException($"gpu backend: kernels failed to compile for {gpu.Description}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The factory used by runs: a CUDA device, else an OpenCL GPU. Returns null and the reason
    /// (e.g. "no CUDA/OpenCL device") when there is none; the caller reports the backend as "n/a".
    /// </summary>
    public static GpuBackend? TryCreate(out string unavailableReason) => TryCreate(GpuAcceleratorKind.Gpu, out unavailableReason);

    /// <summary>
    /// As <see cref="TryCreate(out string)"/> with an explicit accelerator kind.
    /// <see cref="GpuAcceleratorKind.CpuSimulator"/> is for tests and the gpu-check self-test only.
    /// </summary>
    public static GpuBackend? TryCreate(GpuAcceleratorKind kind, out string unavailableReason)
    {
        if (!GpuContext.TryCreate(kind, out var gpu, out unavailableReason)) return null;
        return new GpuBackend(gpu!);
    }

    public string Name => "gpu";

    public string Device => _gpu.Description;

    /// <summary>True when running on ILGPU's CPU simulator (tests only; never a benchmark number).</summary>
    public bool IsSimulator => _accelerator.AcceleratorType == AcceleratorType.CPU;

    public bool Supports(VariantKind kind) => true;
    public bool PrefersBatches => true;

    /// <summary>Threads per group of the tile and per-image kernels (a power of two, at most 64).</summary>
    internal int GroupSize { get; }

    /// <summary>
    /// Test-only: sort the keys on the host instead of with ILGPU.Algorithms' radix sort. The radix
    /// sort costs about a second per call on ILGPU's CPU simulator, which would make property
    /// tests impractical; the keys and their ascending order are the same either way, and
    /// dedicated tests (and gpu-check on the device) run the radix path.
    /// </summary>
    internal bool SortKeysOnHost { get; set; }

    /// <summary>Tests: runs at the start of every launch sequence, so a device fault (out of memory, lost device) can be simulated on the CPU accelerator.</summary>
    internal Action? BeforeChunk { get; set; }

    /// <summary>When set, each batch synchronises between stages and fills <see cref="LastTimings"/> (gpu-check).</summary>
    internal bool MeasureStages { get; set; }

    /// <summary>Upload, device-only and download time of the last batch (valid when <see cref="MeasureStages"/> is set).</summary>
    internal GpuBatchTimings LastTimings { get; private set; }

    public void Run(CandidateMap map, VariantSpec variant, DetectionList output, bool flatInput = false)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(output);
        _single[0] = map;
        _singleOut[0] = output;
        try
        {
            RunBatchCore(_single, variant, _singleOut, flatInput);
        }
        finally
        {
            _single[0] = null!;
            _singleOut[0] = null!;
        }
    }

    public void RunBatch(IReadOnlyList<CandidateMap> maps, VariantSpec variant, IReadOnlyList<DetectionList> outputs) =>
        RunBatchCore(maps, variant, outputs, flatInput: false);

    private void RunBatchCore(IReadOnlyList<CandidateMap> maps, VariantSpec variant, IReadOnlyList<DetectionList> outputs, bool flatInput)
    {
        ArgumentNullException.ThrowIfNull(maps);
        ArgumentNullException.ThrowIfNull(variant);
        ArgumentNullException.ThrowIfNull(outputs);
        if (outputs.Count < maps.Count) throw new ArgumentException("one output per map is required", nameof(outputs));
        try
        {
            var start = 0;
            while (start < maps.Count)
            {
                var count = ChunkLength(maps, start);
                RunChunk(maps, start, count, variant, outputs, flatInput);
                start += count;
            }
        }
        catch (Exception ex) when (ex is AcceleratorException or InsufficientExecutionStackException or OutOfMemoryException)
        {
            throw new GpuBackendException($"gpu backend failed on {Device} running {variant}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// How many maps from <paramref name="start"/> fit one launch sequence: the 64-bit sort key
    /// holds image, 32 score bits and the flat index, and global indices are 32-bit.
    /// </summary>
    private static int ChunkLength(IReadOnlyList<CandidateMap> maps, int start)
    {
        long total = 0;
        var maxCount = 1;
        var n = 0;
        for (var i = start; i < maps.Count; i++)
        {
            var c = maps[i].Count;
            var newMax = Math.Max(maxCount, c);
            // 65535: the CUDA limit of a grid's z dimension, which the tile kernels give to images.
            if (n > 0 && (n == 65535 || BitsFor(n + 1) + BitsFor(newMax) > 32 || total + c > int.MaxValue / 2)) break;
            if (n == 0 && BitsFor(1) + BitsFor(newMax) > 32) throw new GpuBackendException($"gpu backend: map with {c} candidates is too large (at most 2^31)");
            maxCount = newMax;
            total += c;
            n++;
        }
        return Math.Max(n, 1);
    }

    /// <summary>Bits that hold the values 0..count−1 (at least 1).</summary>
    private static int BitsFor(int count) => count <= 2 ? 1 : 32 - BitOperations.LeadingZeroCount((uint)(count - 1));

    private void RunChunk(IReadOnlyList<CandidateMap> maps, int first, int images, VariantSpec variant, IReadOnlyList<DetectionList> outputs, bool flatInput)
    {
        BeforeChunk?.Invoke();
        var kind = variant.Kind;
        var ws = _ws;
        var acc = _accelerator;
        var stream = acc.DefaultStream;
        var timer = MeasureStages ? Stopwatch.StartNew() : null;

        // ---- upload: every image's candidates, concatenated, in one copy from page-locked memory
        var maxCount = 1;
        var totalCand = 0;
        var offsets = ws.ImageOffsets.EnsureHost(acc, images + 1);
        for (var b = 0; b < images; b++)
        {
            offsets[b] = totalCand;
            totalCand += maps[first + b].Count;
            maxCount = Math.Max(maxCount, maps[first + b].Count);
        }
        offsets[images] = totalCand;
        var layout = new KeyLayout(BitsFor(maxCount));
        var candidates = ws.UploadCandidates(acc, stream, maps, first, images, totalCand);
        var imageOffsets = ws.ImageOffsets.Upload(acc, stream, images + 1);
        var keys = ws.Keys.Ensure(acc, totalCand);
        var emitScore = ws.EmitScore.Ensure(acc, totalCand);
        var counters = ws.Counters.Ensure(acc, images + 1);
        counters.MemSetToZero(stream);
        if (timer is not null) Lap(stream, timer, out _uploadTicks);

        // ---- stage 1: score filter or grid stage → unordered keys + per-image counts
        if (kind.IsNmsFamily())
        {
            if (totalCand > 0) _kernels.Threshold(stream, totalCand, candidates, imageOffsets, images, variant.ScoreThreshold, layout, keys, counters, emitScore);
        }
        else
        {
            RunGridStage(maps, first, images, variant, candidates, layout, keys, counters, emitScore);
        }
        var counts = ws.Counters.Download(acc, stream, images + 1);
        if (timer is not null) _kernelTicks += timer.ElapsedTicks; // includes the small count read-back

        // ---- host: per-image slots (entrants after preTopK, output caps, mask bands)
        var hasNms = kind.IsNmsFamily() || kind.HasNmsStage();
        var preTopK = hasNms ? variant.EffectivePreTopK(flatInput) : int.MaxValue;
        var keepTopK = hasNms ? variant.EffectiveKeepTopK(flatInput) : int.MaxValue;
        var slotsHost = ws.Slots.EnsureHost(acc, images);
        int segStart = 0, packed = 0, outOffset = 0, removedOffset = 0, maxN = 0, maxBlocks = 0, maxOut = 0;
        for (var b = 0; b < images; b++)
        {
            var n = Math.Min(counts[b], preTopK);
            var blocks = (n + NmsKernels.Tile - 1) / NmsKernels.Tile;
            var outCap = Math.Min(n, keepTopK);
            slotsHost[b] = new ImageSlot
            {
                CandOffset = offsets[b],
                SegStart = segStart,
                N = n,
                Packed = packed,
                ColBlocks = blocks,
                OutOffset = outOffset,
                OutCap = outCap,
                RemovedOffset = removedOffset,
            };
            segStart += n;
            packed += n;
            outOffset += outCap;
            removedOffset += blocks;
            maxN = Math.Max(maxN, n);
            maxBlocks = Math.Max(maxBlocks, blocks);
            maxOut = Math.Max(maxOut, outCap);
        }
        var bands = UsesGreedyNms(kind) ? MaskBands.Plan(slotsHost[..images], MaskBudgetBytes) : default;
        LastMaskBands = bands.Count;
        var totalKeys = segStart;
        timer?.Restart();
        var slots = ws.Slots.Upload(acc, stream, images);
        if (totalKeys < counts[images]) keys = SelectTopK(counts, images, preTopK, layout, keys);
        LastSortedKeys = totalKeys;

        // ---- sort, gather, variant kernel
        if (totalKeys > 1)
        {
            if (SortKeysOnHost)
            {
                if (ws.HostKeys.Length < totalKeys) ws.HostKeys = new ulong[totalKeys];
                var hostKeys = ws.HostKeys.AsSpan(0, totalKeys);
                keys.SubView(0, totalKeys).CopyToCPU(stream, hostKeys);
                hostKeys.Sort();
                keys.SubView(0, totalKeys).CopyFromCPU(stream, (ReadOnlySpan<ulong>)hostKeys);
            }
            else
            {
                var sortTemp = ws.SortTemp.Ensure(acc, _kernels.SortTempSize(totalKeys));
                _kernels.Sort(stream, keys.SubView(0, totalKeys), sortTemp);
            }
        }
        var sorted = ws.EnsureSorted(acc, packed);
        var output = ws.EnsureOutput(acc, outOffset, images);
        if (maxN > 0) _kernels.Gather(stream, new Index2D(maxN, images), slots, layout, keys, candidates, emitScore, sorted);

        var p = NmsParameters.Of(variant, keepTopK);
        var batch = new GpuSortedBatch(slots, sorted, images, maxN, maxBlocks, packed, removedOffset, bands);
        switch (kind)
        {
            case VariantKind.FastNms: _nms.Fast(batch, p, output); break;
            case VariantKind.SoftNmsLinear: _nms.SoftNms(batch, p, gaussian: false, output); break;
            case VariantKind.SoftNmsGaussian: _nms.SoftNms(batch, p, gaussian: true, output); break;
            case VariantKind.WeightedNms: _nms.Weighted(batch, p, output); break;
            case var _ when UsesGreedyNms(kind): _nms.Greedy(batch, p, output); break; // nms, and the grid variants' NMS stage
            default: _nms.EmitAll(batch, output); break;
        }

        // ---- pack what was kept, then download exactly that
        var keptOffsets = ws.KeptOffsets.Ensure(acc, images + 1);
        _kernels.KeptOffsets(stream, 1, output.Count, images, keptOffsets);
        var kept = ws.KeptOffsets.Download(acc, stream, images + 1);
        var totalKept = kept[images];
        if (totalKept > 0)
        {
            var packedOut = ws.Packed.Ensure(acc, (long)totalKept * OutputCompactionKernels.Stride);
            _kernels.Compact(stream, new Index2D(Math.Max(maxOut, 1), images), slots, output, keptOffsets, packedOut);
        }
        long stage2Ticks = 0;
        if (timer is not null) Lap(stream, timer, out stage2Ticks);
        var records = ws.Packed.Download(acc, stream, totalKept * OutputCompactionKernels.Stride);
        LastDownloadedInts = records.Length;
        for (var b = 0; b < images; b++)
        {
            var list = outputs[first + b];
            list.Clear();
            var count = kept[b + 1] - kept[b];
            list.EnsureCapacity(count);
            for (var k = 0; k < count; k++)
            {
                var r = records.Slice((kept[b] + k) * OutputCompactionKernels.Stride, OutputCompactionKernels.Stride);
                list.Add(r[0], BitConverter.Int32BitsToSingle(r[1]), BitConverter.Int32BitsToSingle(r[2]), BitConverter.Int32BitsToSingle(r[3]),
                         BitConverter.Int32BitsToSingle(r[4]), BitConverter.Int32BitsToSingle(r[5]));
            }
        }
        if (timer is not null)
        {
            timer.Stop();
            LastTimings = new GpuBatchTimings(
                TicksToMs(_uploadTicks), TicksToMs(_kernelTicks + stage2Ticks), TicksToMs(timer.ElapsedTicks));
            _uploadTicks = 0;
            _kernelTicks = 0;
        }
    }

    /// <summary>
    /// Cuts every image with more than <paramref name="k"/> keys to its k best (the k smallest
    /// ranks) by a radix select, 8 bits of the rank per pass, entirely on the device; returns the
    /// surviving keys, unordered, for the sort. The select reads every key once per digit (at most
    /// eight passes, no data movement) so that the sort moves only Σ min(count, k) keys; whether
    /// that beats sorting every key has not been timed on a GPU.
    /// </summary>
    private ArrayView1D<ulong, Stride1D.Dense> SelectTopK(ReadOnlySpan<int> counts, int images, int k, KeyLayout layout, ArrayView1D<ulong, Stride1D.Dense> keys)
    {
        var ws = _ws;
        var acc = _accelerator;
        var stream = acc.DefaultStream;
        var all = counts[images];
        var stateHost = ws.TopKState.EnsureHost(acc, images);
        var survivors = 0;
        for (var b = 0; b < images; b++)
        {
            stateHost[b] = new TopKState { Prefix = 0, Remaining = k, Active = counts[b] > k ? 1 : 0 };
            survivors += Math.Min(counts[b], k);
        }
        var state = ws.TopKState.Upload(acc, stream, images);
        var histogram = ws.TopKHistogram.Ensure(acc, (long)images * CandidateSelectionKernels.Bins);
        histogram.MemSetToZero(stream);
        var source = keys.SubView(0, all);
        for (var shift = ((layout.RankBits + CandidateSelectionKernels.DigitBits - 1) / CandidateSelectionKernels.DigitBits - 1) * CandidateSelectionKernels.DigitBits;
             shift >= 0;
             shift -= CandidateSelectionKernels.DigitBits)
        {
            _kernels.TopKHistogram(stream, all, source, layout, state, shift, histogram);
            _kernels.TopKDigit(stream, images, state, shift, histogram);
        }
        var counter = ws.TopKCounter.Ensure(acc, 1);
        counter.MemSetToZero(stream);
        var selected = ws.SelectedKeys.Ensure(acc, survivors);
        _kernels.TopKCompact(stream, all, source, layout, state, counter, selected);
        return selected;
    }

    /// <summary>Keys the last batch sorted: every image's keys up to preTopK (tests).</summary>
    internal int LastSortedKeys { get; private set; }

    /// <summary>Greedy NMS: the variant itself, or the NMS stage of a grid variant (as in the scalar backend's dispatch).</summary>
    private static bool UsesGreedyNms(VariantKind kind) => kind == VariantKind.Nms || kind.HasNmsStage();

    /// <summary>
    /// Most bytes the greedy-NMS mask of one launch sequence may take; above it the rows are
    /// processed in bands. 256 MiB by default; tests lower it to force banding on small maps.
    /// </summary>
    internal long MaskBudgetBytes { get; set; } = 256L << 20;

    /// <summary>Ints the last batch read back for its detections: six per kept detection (tests).</summary>
    internal int LastDownloadedInts { get; private set; }

    /// <summary>How many mask bands the last greedy-NMS batch used (tests).</summary>
    internal int LastMaskBands { get; private set; }

    private long _uploadTicks;
    private long _kernelTicks;

    private static void Lap(AcceleratorStream stream, Stopwatch timer, out long ticks)
    {
        stream.Synchronize();
        ticks = timer.ElapsedTicks;
        timer.Restart();
    }

    private static double TicksToMs(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private void RunGridStage(
        IReadOnlyList<CandidateMap> maps, int first, int images, VariantSpec variant, CandidateViews candidates,
        KeyLayout layout, ArrayView1D<ulong, Stride1D.Dense> keys, ArrayView1D<int, Stride1D.Dense> counters, ArrayView1D<float, Stride1D.Dense> emitScore)
    {
        var ws = _ws;
        var acc = _accelerator;
        var stream = acc.DefaultStream;
        var levelCount = 0;
        var totalCells = 0;
        for (var b = 0; b < images; b++) levelCount += maps[first + b].Levels.Length;
        var levelsHost = ws.Levels.EnsureHost(acc, Math.Max(levelCount, 1));
        var offsets = ws.ImageOffsets.Host;
        levelCount = 0;
        for (var b = 0; b < images; b++)
        {
            var map = maps[first + b];
            foreach (var level in map.Levels)
            {
                if (level.Count == 0) continue;
                levelsHost[levelCount++] = new LevelSlot
                {
                    Image = b,
                    Height = level.Height,
                    Width = level.Width,
                    Anchors = level.Anchors,
                    CandBase = offsets[b] + level.Offset,
                    CellBase = totalCells,
                    FlatOffset = level.Offset,
                };
                totalCells += level.Cells;
            }
        }
        if (totalCells == 0) return;
        var levels = ws.Levels.Upload(acc, stream, levelCount);
        var cells = ws.Cells.Ensure(acc, totalCells);
        var argAnchor = ws.ArgAnchor.Ensure(acc, totalCells);
        _kernels.CellMax(stream, totalCells, levels, levelCount, candidates.Score, cells, argAnchor);
        var byScore = variant.Kind.HasNmsStage() ? 1 : 0;
        if (!variant.Kind.IsGradientClipping())
        {
            _kernels.Peak(stream, totalCells, levels, levelCount, cells, argAnchor, variant.ScoreThreshold, byScore, layout, keys, counters, images, emitScore);
            return;
        }

        var accumulated = ws.Accumulated.Ensure(acc, totalCells);
        var scratch = ws.Scratch.Ensure(acc, totalCells);
        cells.CopyTo(stream, accumulated);
        for (var p = 0; p < variant.Passes; p++)
        {
            _kernels.BoxHorizontal(stream, totalCells, levels, levelCount, accumulated, scratch, variant.Radius);
            _kernels.BoxVertical(stream, totalCells, levels, levelCount, scratch, accumulated, variant.Radius);
        }
        var parameters = new GcParameters
        {
            ScoreThreshold = variant.ScoreThreshold,
            MagnitudeBound = float.IsNaN(variant.MagnitudeBound) ? 0f : variant.MagnitudeBound,
            HasMagnitudeBound = float.IsNaN(variant.MagnitudeBound) ? 0 : 1,
            EmitAccumulated = variant.EmitAccumulated ? 1 : 0,
            ByScore = byScore,
        };
        _kernels.GcClassify(stream, totalCells, levels, levelCount, cells, accumulated, argAnchor, parameters, layout, keys, counters, images, emitScore);
    }

    public void Dispose()
    {
        _ws.Dispose();
        _gpu.Dispose();
    }
}

/// <summary>Stage times of one batch in milliseconds (gpu-check): upload, device work, download + output fill.</summary>
internal readonly record struct GpuBatchTimings(double UploadMs, double KernelMs, double DownloadMs);
