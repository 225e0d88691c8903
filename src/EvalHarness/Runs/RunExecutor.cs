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
/// Runs a plan image by image: loads the candidates once, runs every variant on every backend
/// (warm-up, then timed repeats that must return identical output), and stores each image's
/// outcome before moving on, so an interrupted run loses at most the image in flight.
/// </summary>
internal sealed class RunExecutor
{
    private readonly ICandidateSource _source;
    private readonly RunPlan _plan;
    private readonly IReadOnlyList<BackendSlot> _backends;
    private readonly ImageOutcomeStore _store;
    private readonly IRunObserver? _observer;
    private readonly string?[] _backendFailure;

    public RunExecutor(ICandidateSource source, RunPlan plan, IReadOnlyList<BackendSlot> backends, ImageOutcomeStore store, IRunObserver? observer = null)
    {
        if (backends.Count != plan.Backends.Count) throw new ArgumentException("one slot per planned backend", nameof(backends));
        _source = source;
        _plan = plan;
        _backends = backends;
        _store = store;
        _observer = observer;
        _backendFailure = new string?[backends.Count];
    }

    /// <summary>
    /// The one-time warm-up on the first computed image: every cell until the JIT is quiet, so the
    /// timed repeats of every image measure optimised code; null until an image was computed.
    /// </summary>
    public WarmUpReport? WarmUp { get; private set; }

    /// <summary>Upper bound of the one-time warm-up; a run whose code still compiles after it says so.</summary>
    public static readonly TimeSpan WarmUpBudget = TimeSpan.FromSeconds(10);

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
        var outcomes = new List<ImageOutcome>(selected.Count);
        var map = new CandidateMap();
        var first = new DetectionList();
        var repeat = new DetectionList();
        for (var n = 0; n < selected.Count; n++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var index = selected[n];
            var stored = _store.TryLoad(index, _source.Images[index], out var problem);
            if (problem is not null) _observer?.OnWarning(problem);
            if (stored is not null && stored.Cells.Length == _plan.CellCount)
            {
                outcomes.Add(stored);
                _observer?.OnImageDone(new RunProgress(n + 1, selected.Count, stored.ImageKey, Resumed: true));
                continue;
            }
            var outcome = ProcessImage(index, map, first, repeat, cancellationToken);
            _store.Save(outcome);
            outcomes.Add(outcome);
            _observer?.OnImageDone(new RunProgress(n + 1, selected.Count, outcome.ImageKey, Resumed: false));
        }
        return outcomes;
    }

    private ImageOutcome ProcessImage(int index, CandidateMap map, DetectionList first, DetectionList repeat, CancellationToken cancellationToken)
    {
        var image = _source.Images[index];
        StageTimings stages;
        try
        {
            var start = Stopwatch.GetTimestamp();
            _source.Load(index, map, cancellationToken);
            var loadMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            stages = _source is IStageTimed timed ? timed.LastTimings : new StageTimings(0, 0, loadMs);
        }
        catch (EvalHarnessException ex) when (!_plan.Strict)
        {
            _observer?.OnWarning($"skipped image {image.Event}/{image.ImageKey}: {ex.Message}");
            return new ImageOutcome { ImageIndex = index, Event = image.Event, ImageKey = image.ImageKey, Error = ex.Message, Cells = [] };
        }

        if (WarmUp is null) WarmUp = TierUp(map, first);
        var cells = new CellOutcome[_plan.CellCount];
        for (var v = 0; v < _plan.Variants.Count; v++)
        {
            for (var b = 0; b < _backends.Count; b++)
            {
                cells[_plan.CellIndex(v, b)] = RunCell(_plan.Variants[v], b, map, first, repeat);
            }
        }
        return new ImageOutcome
        {
            ImageIndex = index,
            Event = image.Event,
            ImageKey = image.ImageKey,
            CandidateCount = map.Count,
            Stages = stages,
            Cells = cells,
        };
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
        var slot = _backends[backendIndex];
        if (slot.Backend is null) return new CellOutcome { Status = CellStatus.NotAvailable, Message = slot.UnavailableReason ?? "backend not present" };
        if (!slot.Backend.Supports(variant.Kind)) return new CellOutcome { Status = CellStatus.NotAvailable, Message = $"{slot.Name} does not implement {variant.Name}" };
        if (_backendFailure[backendIndex] is { } failure) return new CellOutcome { Status = CellStatus.Failed, Message = failure };

        var backend = slot.Backend;
        try
        {
            var samples = new double[Math.Max(1, _plan.Repeats)];
            var differing = TimedRepeats.Run(backend, map, variant, _plan.WarmUp, first, repeat, samples);
            if (differing >= 0)
            {
                return new CellOutcome { Status = CellStatus.Failed, Message = $"{slot.Name} {variant}: repeat {differing} returned different detections (non-deterministic backend)" };
            }
            return new CellOutcome { Status = CellStatus.Ok, Detections = Pack(first), FlatIndex = first.FlatIndex.ToArray(), SamplesMs = samples };
        }
        catch (EvalHarnessException ex)
        {
            // A device that faults (lost GPU, out of memory) is out for the rest of the run; the
            // other backends' results stand and the report says why this one stopped.
            _backendFailure[backendIndex] = $"{slot.Name} failed on {map.Event}/{map.ImageKey}: {ex.Message}";
            _observer?.OnWarning(_backendFailure[backendIndex]!);
            return new CellOutcome { Status = CellStatus.Failed, Message = _backendFailure[backendIndex] };
        }
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
}
