using System.Diagnostics;
using EvalHarness.Backends;
using EvalHarness.IO;
using EvalHarness.PostProcessing;
using EvalHarness.Sources;
using EvalHarness.Suites;
using EvalHarness.Timing;

namespace EvalHarness.Runs;

/// <summary>A backend as the run sees it: present, or absent with the reason the results will show.</summary>
internal sealed record BackendSlot(string Name, IPostProcessingBackend? Backend, string? UnavailableReason);

/// <summary>Progress of a run, one report per finished image.</summary>
public readonly record struct RunProgress(int Done, int Total, string ImageKey, bool Resumed);

/// <summary>Receives progress and warnings; the CLI renders them (progress bar or plain lines).</summary>
public interface IRunObserver
{
    void OnImageDone(RunProgress progress);
    void OnWarning(string message);

    /// <summary>A line about the run's progress in stages (a sweep's plan and pass times).</summary>
    void OnInfo(string message) { }

    /// <summary>A phase after the images (aggregation, bootstrap, export) began; long ones should not look like a hang.</summary>
    void OnPhase(string description) { }
}

/// <summary>
/// Runs a plan: loads each image's candidates once, runs every variant on every backend (warm-up,
/// then timed repeats that must return identical output), and stores each image's outcome. Backends
/// that prefer batches (the GPU) get <see cref="RunPlan.BatchSize"/> images per call, timed per
/// batch; every other backend still runs and is timed image by image. Outcomes are stored after
/// each batch, so an interrupted run loses at most the batch in flight (one image when no backend
/// batches).
/// </summary>
internal sealed class RunExecutor
{
    private readonly ICandidateSource _source;
    private readonly RunPlan _plan;
    private readonly IReadOnlyList<BackendSlot> _backends;
    private readonly ImageOutcomeStore _store;
    private readonly IRunObserver? _observer;
    private readonly string?[] _backendFailure;
    private readonly bool[] _batches;
    private readonly int _batchSize;

    // Pooled per executor: each image of a batch keeps its own map and detection lists, reused by every batch.
    private readonly List<BatchImage> _pool = [];
    private readonly List<CandidateMap> _batchMaps = [];
    private readonly List<DetectionList> _batchFirsts = [];
    private readonly List<DetectionList> _batchRepeats = [];
    private readonly double[] _batchSamplesMs;

    public RunExecutor(ICandidateSource source, RunPlan plan, IReadOnlyList<BackendSlot> backends, ImageOutcomeStore store, IRunObserver? observer = null)
    {
        if (backends.Count != plan.Backends.Count) throw new ArgumentException("one slot per planned backend", nameof(backends));
        ArgumentOutOfRangeException.ThrowIfLessThan(plan.BatchSize, 1, nameof(plan));
        _source = source;
        _plan = plan;
        _backends = backends;
        _store = store;
        _observer = observer;
        _backendFailure = new string?[backends.Count];
        _batches = new bool[backends.Count];
        var anyBatches = false;
        for (var b = 0; b < backends.Count; b++)
        {
            _batches[b] = backends[b].Backend is { PrefersBatches: true };
            anyBatches |= _batches[b];
        }
        // Without a batching backend a batch only delays storing: keep image-by-image progress.
        _batchSize = anyBatches ? plan.BatchSize : 1;
        _batchSamplesMs = new double[Math.Max(1, plan.Repeats)];
    }

    /// <summary>
    /// The one-time warm-up on the first computed image: every cell until the JIT is quiet, so the
    /// timed repeats of every image measure optimised code; null until an image was computed.
    /// </summary>
    public WarmUpReport? WarmUp { get; private set; }

    /// <summary>Upper bound of the one-time warm-up; a run whose code still compiles after it says so.</summary>
    public static readonly TimeSpan WarmUpBudget = TimeSpan.FromSeconds(10);

    /// <summary>Images per batch of this run: the plan's batch size when a present backend prefers batches, else 1.</summary>
    public int BatchSize => _batchSize;

    /// <summary>Indices of the images this shard processes, in source order.</summary>
    public IReadOnlyList<int> SelectedImages()
    {
        if (_plan.Shard is { } shard) return ShardPlan.Select(_source.Images.Count, shard);
        var all = new int[_source.Images.Count];
        for (var i = 0; i < all.Length; i++) all[i] = i;
        return all;
    }

    public IReadOnlyList<ImageOutcome> Execute(CancellationToken cancellationToken = default)
    {
        var selected = SelectedImages();
        var outcomes = new ImageOutcome[selected.Count];
        var pending = new List<int>(_batchSize);
        var done = 0;
        for (var n = 0; n < selected.Count; n++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var index = selected[n];
            var stored = _store.TryLoad(index, _source.Images[index], out var problem);
            if (problem is not null) _observer?.OnWarning(problem);
            if (stored is not null && stored.Cells.Length == _plan.CellCount)
            {
                outcomes[n] = stored;
                _observer?.OnImageDone(new RunProgress(++done, selected.Count, stored.ImageKey, Resumed: true));
                continue;
            }
            pending.Add(n);
            if (pending.Count < _batchSize) continue;
            done = ProcessBatch(selected, pending, outcomes, done, cancellationToken);
            pending.Clear();
        }
        if (pending.Count > 0) ProcessBatch(selected, pending, outcomes, done, cancellationToken);
        return outcomes;
    }

    /// <summary>
    /// Loads the pending images (positions in <paramref name="selected"/>), runs every cell, then
    /// stores and reports each image in source order; returns the number of images reported so far.
    /// </summary>
    private int ProcessBatch(IReadOnlyList<int> selected, List<int> pending, ImageOutcome[] outcomes, int done, CancellationToken cancellationToken)
    {
        var loaded = 0;
        foreach (var n in pending)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var index = selected[n];
            while (_pool.Count <= loaded) _pool.Add(new BatchImage());
            var image = _pool[loaded];
            if (!TryLoad(index, image.Map, out var stages, out var skipped, cancellationToken))
            {
                outcomes[n] = skipped!;
                continue;
            }
            image.Position = n;
            image.Index = index;
            image.Stages = stages;
            image.Cells = new CellOutcome[_plan.CellCount];
            loaded++;
        }

        if (loaded > 0)
        {
            WarmUp ??= TierUp(_pool[0].Map, _pool[0].First);
            var batched = loaded >= 2;
            for (var i = 0; i < loaded; i++)
            {
                var image = _pool[i];
                for (var v = 0; v < _plan.Variants.Count; v++)
                {
                    for (var b = 0; b < _backends.Count; b++)
                    {
                        if (batched && _batches[b]) continue;
                        image.Cells[_plan.CellIndex(v, b)] = RunCell(_plan.Variants[v], b, image.Map, image.First, image.Repeat);
                    }
                }
            }
            if (batched) RunBatchedCells(loaded);
            for (var i = 0; i < loaded; i++)
            {
                var image = _pool[i];
                var source = _source.Images[image.Index];
                outcomes[image.Position] = new ImageOutcome
                {
                    ImageIndex = image.Index,
                    Event = source.Event,
                    ImageKey = source.ImageKey,
                    CandidateCount = image.Map.Count,
                    Stages = image.Stages,
                    Cells = image.Cells,
                };
                image.Cells = [];
            }
        }

        foreach (var n in pending)
        {
            var outcome = outcomes[n];
            _store.Save(outcome);
            _observer?.OnImageDone(new RunProgress(++done, selected.Count, outcome.ImageKey, Resumed: false));
        }
        return done;
    }

    /// <summary>Loads one image's candidates; a bad image (unless strict) becomes a skipped outcome.</summary>
    private bool TryLoad(int index, CandidateMap map, out StageTimings stages, out ImageOutcome? skipped, CancellationToken cancellationToken)
    {
        var image = _source.Images[index];
        try
        {
            var start = Stopwatch.GetTimestamp();
            _source.Load(index, map, cancellationToken);
            var loadMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            stages = _source is IStageTimed timed ? timed.LastTimings : new StageTimings(0, 0, loadMs);
            skipped = null;
            return true;
        }
        catch (EvalHarnessException ex) when (!_plan.Strict)
        {
            _observer?.OnWarning($"skipped image {image.Event}/{image.ImageKey}: {ex.Message}");
            stages = default;
            skipped = new ImageOutcome { ImageIndex = index, Event = image.Event, ImageKey = image.ImageKey, Error = ex.Message, Cells = [] };
            return false;
        }
    }

    private WarmUpReport TierUp(CandidateMap map, DetectionList output)
    {
        var report = JitWarmUp.Run(() =>
        {
            for (var v = 0; v < _plan.Variants.Count; v++)
            {
                foreach (var slot in _backends)
                {
                    if (slot.Backend is not { } backend || !backend.Supports(_plan.Variants[v].Kind)) continue;
                    try
                    {
                        backend.Run(map, _plan.Variants[v], output);
                    }
                    catch (EvalHarnessException)
                    {
                        // the timed run of this cell reports the failure
                    }
                }
            }
        }, minimumPasses: Math.Max(2, _plan.WarmUp), WarmUpBudget);
        if (!report.Settled) _observer?.OnWarning($"the JIT was still compiling after {report.Passes} warm-up passes ({report.Elapsed.TotalSeconds:0.0} s); the first timings may include unoptimised code");
        return report;
    }

    private CellOutcome RunCell(VariantSpec variant, int backendIndex, CandidateMap map, DetectionList first, DetectionList repeat)
    {
        if (NotRunnable(variant, backendIndex) is { } outcome) return outcome;
        var slot = _backends[backendIndex];
        try
        {
            var samples = new double[Math.Max(1, _plan.Repeats)];
            var differing = TimedRepeats.Run(slot.Backend!, map, variant, _plan.WarmUp, first, repeat, samples);
            if (differing >= 0)
            {
                return new CellOutcome { Status = CellStatus.Failed, Message = $"{slot.Name} {variant}: repeat {differing} returned different detections (non-deterministic backend)" };
            }
            return new CellOutcome { Status = CellStatus.Ok, Detections = Pack(first), FlatIndex = first.FlatIndex.ToArray(), SamplesMs = samples };
        }
        catch (EvalHarnessException ex)
        {
            return new CellOutcome { Status = CellStatus.Failed, Message = MarkFailed(backendIndex, $"{map.Event}/{map.ImageKey}", ex) };
        }
    }

    /// <summary>
    /// The cells of the batching backends over the first <paramref name="count"/> pooled images: one
    /// timed <c>RunBatch</c> per repeat; each image's sample is the batch's time over its images
    /// (the amortised latency a batched deployment sees).
    /// </summary>
    private void RunBatchedCells(int count)
    {
        _batchMaps.Clear();
        _batchFirsts.Clear();
        _batchRepeats.Clear();
        for (var i = 0; i < count; i++)
        {
            _batchMaps.Add(_pool[i].Map);
            _batchFirsts.Add(_pool[i].First);
            _batchRepeats.Add(_pool[i].Repeat);
        }
        for (var v = 0; v < _plan.Variants.Count; v++)
        {
            var variant = _plan.Variants[v];
            for (var b = 0; b < _backends.Count; b++)
            {
                if (!_batches[b]) continue;
                var cell = _plan.CellIndex(v, b);
                if (NotRunnable(variant, b) is { } outcome)
                {
                    for (var i = 0; i < count; i++) _pool[i].Cells[cell] = outcome;
                    continue;
                }
                var slot = _backends[b];
                try
                {
                    var differing = TimedRepeats.RunBatch(slot.Backend!, _batchMaps, variant, _plan.WarmUp, _batchFirsts, _batchRepeats, _batchSamplesMs);
                    if (differing >= 0)
                    {
                        var failed = new CellOutcome { Status = CellStatus.Failed, Message = $"{slot.Name} {variant}: repeat {differing} of a batch of {count} images returned different detections (non-deterministic backend)" };
                        for (var i = 0; i < count; i++) _pool[i].Cells[cell] = failed;
                        continue;
                    }
                    for (var i = 0; i < count; i++)
                    {
                        var samples = new double[_batchSamplesMs.Length];
                        for (var r = 0; r < samples.Length; r++) samples[r] = _batchSamplesMs[r] / count;
                        var first = _pool[i].First;
                        _pool[i].Cells[cell] = new CellOutcome { Status = CellStatus.Ok, Detections = Pack(first), FlatIndex = first.FlatIndex.ToArray(), SamplesMs = samples };
                    }
                }
                catch (EvalHarnessException ex)
                {
                    var firstMap = _pool[0].Map;
                    var lastMap = _pool[count - 1].Map;
                    var failed = new CellOutcome { Status = CellStatus.Failed, Message = MarkFailed(b, $"a batch of {count} images ({firstMap.Event}/{firstMap.ImageKey} to {lastMap.Event}/{lastMap.ImageKey})", ex) };
                    for (var i = 0; i < count; i++) _pool[i].Cells[cell] = failed;
                }
            }
        }
    }

    /// <summary>The outcome of a cell that cannot run (backend absent or failed earlier, variant not implemented); null when it can.</summary>
    private CellOutcome? NotRunnable(VariantSpec variant, int backendIndex)
    {
        var slot = _backends[backendIndex];
        if (slot.Backend is null) return new CellOutcome { Status = CellStatus.NotAvailable, Message = slot.UnavailableReason ?? "backend not present" };
        if (!slot.Backend.Supports(variant.Kind)) return new CellOutcome { Status = CellStatus.NotAvailable, Message = $"{slot.Name} does not implement {variant.Name}" };
        if (_backendFailure[backendIndex] is { } failure) return new CellOutcome { Status = CellStatus.Failed, Message = failure };
        return null;
    }

    /// <summary>
    /// A device that faults (lost GPU, out of memory) is out for the rest of the run; the other
    /// backends' results stand and the report says why this one stopped.
    /// </summary>
    private string MarkFailed(int backendIndex, string where, EvalHarnessException ex)
    {
        var message = $"{_backends[backendIndex].Name} failed on {where}: {ex.Message}";
        _backendFailure[backendIndex] = message;
        _observer?.OnWarning(message);
        return message;
    }

    private static float[] Pack(DetectionList list)
    {
        var packed = new float[list.Count * 5];
        for (var i = 0; i < list.Count; i++)
        {
            packed[(i * 5) + 0] = list.X1[i];
            packed[(i * 5) + 1] = list.Y1[i];
            packed[(i * 5) + 2] = list.X2[i];
            packed[(i * 5) + 3] = list.Y2[i];
            packed[(i * 5) + 4] = list.Score[i];
        }
        return packed;
    }

    /// <summary>One image of a batch: its pooled map and detection lists, and what the batch computed for it.</summary>
    private sealed class BatchImage
    {
        public CandidateMap Map { get; } = new();
        public DetectionList First { get; } = new();
        public DetectionList Repeat { get; } = new();
        public int Position { get; set; }
        public int Index { get; set; }
        public StageTimings Stages { get; set; }
        public CellOutcome[] Cells { get; set; } = [];
    }
}
