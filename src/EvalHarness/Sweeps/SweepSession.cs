using System.Globalization;
using EvalHarness.IO;
using EvalHarness.Metrics.Statistics;
using EvalHarness.Reporting;
using EvalHarness.Runs;
using EvalHarness.Suites;

namespace EvalHarness.Sweeps;

/// <summary>
/// Runs a sweep suite end to end: candidates into memory, the accuracy and latency passes
/// (<see cref="SweepExecutor"/>), folds, the analysis, then every file: the plain run's tables
/// (summary.csv keyed by the canonical configuration label, so <c>compare</c> works on sweeps),
/// sweep.csv, tuning.csv, pareto.csv, the charts and report.md.
/// </summary>
public static class SweepSession
{
    public static RunSessionResult Run(RunRequest request, IRunObserver? observer, CancellationToken cancellationToken = default)
    {
        var suite = request.Suite;
        var sweep = suite.Sweep ?? throw new ArgumentException("not a sweep suite", nameof(request));
        if (request.Shard is not null) throw new UsageException($"suite {suite.Name} is a sweep: it cannot be sharded (its accuracy pass and tuning need every image); run it whole");

        using var source = RunSources.CreateSource(suite, request.Root, request.ModelsDir, request.CacheRoot, observer is null ? null : observer.OnWarning);
        var slots = RunSources.CreateBackends(suite);
        try
        {
            observer?.OnInfo(string.Create(CultureInfo.InvariantCulture,
                $"sweep {suite.Name}: {suite.Variants.Count} configurations × {slots.Count} backends × {source.Images.Count} images; {suite.Warmup} warm-up + {suite.Repeats} timed repeats each; tuning {sweep.Tuning.Objective}, {sweep.Tuning.Folds} folds"));
            var outputDir = request.OutputDir ?? Path.Combine(request.ResultsRoot, $"{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{suite.Name}");
            Directory.CreateDirectory(outputDir);

            var measurements = new SweepExecutor(source, suite.Variants, slots, suite.Repeats, suite.Warmup, request.Strict, observer).Execute(cancellationToken);
            var events = measurements.Images.Select(i => i.Event).ToArray();
            var byImage = suite.Dataset.Kind == DatasetKind.Synthetic;
            var folds = byImage ? FoldAssignment.ByImage(events.Length, sweep.Tuning.Folds) : FoldAssignment.ByEvent(events, sweep.Tuning.Folds);

            string? gpuName = null;
            for (var b = 0; b < slots.Count; b++)
            {
                if (slots[b].Name == "gpu" && slots[b].Backend is { } gpu) gpuName = gpu.Device;
            }
            var context = new SweepContext
            {
                SuiteName = suite.Name,
                Dataset = suite.Dataset.ToString(),
                Tuning = sweep.Tuning,
                Grids = sweep.Grids,
                FoldOfImage = folds,
                FoldRule = byImage ? FoldRules.ByImage : FoldRules.ByEvent,
                Bootstrap = new BootstrapOptions { Resamples = suite.BootstrapResamples, Seed = suite.BootstrapSeed },
                Environment = EnvironmentInfo.Capture(gpuName, null, DataPaths.FindRepositoryRoot(Directory.GetCurrentDirectory())),
                SuiteJson = SuiteLoader.ToJson(suite),
            };
            var results = SweepAnalysis.Analyse(context, measurements);
            observer?.OnInfo($"analysis (evaluations, tuning, bootstrap): {results.Analysis.TotalSeconds:0.0} s");
            SweepExporters.WriteAll(results, outputDir);
            return new RunSessionResult(outputDir, results.Run, measurements.Images.Count, 0, measurements.SkippedImages);
        }
        finally
        {
            foreach (var slot in slots) slot.Backend?.Dispose();
        }
    }
}
