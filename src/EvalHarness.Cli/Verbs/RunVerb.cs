using System.CommandLine;
using EvalHarness.Cli.Interaction;
using EvalHarness.IO;
using EvalHarness.Reporting;
using EvalHarness.Runs;
using EvalHarness.Suites;

namespace EvalHarness.Cli;

/// <summary>
/// <c>run</c>: the main job. With no arguments it runs the built-in <c>quick</c> suite on the
/// synthetic detector; <c>--suite widerface-val --root DIR</c> runs BlazeFace on WIDER FACE.
/// </summary>
internal sealed class RunVerb(CliOutput output) : Verb(output)
{
    private readonly Option<string> _suite = VerbOptions.WithDefault("--suite", $"Built-in suite ({string.Join(", ", SuiteLoader.BuiltInNames)}) or a suite .json file", "quick");
    private readonly Option<string?> _root = VerbOptions.Root();
    private readonly Option<string?> _modelsDir = VerbOptions.ModelsDir();
    private readonly Option<string?> _out = VerbOptions.Optional<string?>("--out", "Results folder (default: resume the newest unfinished run of the suite, else results/<timestamp>-<suite>)");
    private readonly Option<string?> _shard = VerbOptions.Optional<string?>("--shard", "Run only slice i of n (e.g. 2/4); combine the slices with 'merge'");
    private readonly Option<bool> _strict = VerbOptions.Optional<bool>("--strict", "Stop at the first bad image instead of reporting and skipping it");
    private readonly Option<int?> _batch = VerbOptions.Optional<int?>("--batch", $"Images per call of a backend that batches (gpu), whose latency is then batch time / images; 1 = image by image (default: the suite's, else {RunPlan.DefaultBatchSize})");
    private readonly Option<bool> _writePredictions = VerbOptions.Optional<bool>("--write-predictions", "Also write a WIDER-format prediction folder per variant under <out>/predictions");

    public override Command Create() => Command("run", "Measure AP and latency of every variant × backend of a suite; write CSVs, charts and report.md",
        [_suite, _root, _modelsDir, _out, _shard, _strict, _batch, _writePredictions], Execute);

    private int Execute(ParseResult parse, CancellationToken cancellationToken)
    {
        var suite = SuiteLoader.Load(parse.GetValue(_suite)!);
        if (parse.GetValue(_batch) is { } batch)
        {
            if (SuiteLoader.BatchProblem(batch, "--batch") is { } problem) throw new UsageException(problem);
            if (suite.Sweep is not null) Output.Warning($"--batch is ignored: suite {suite.Name} is a sweep, which times every backend image by image");
            suite = suite with { Batch = batch };
        }
        var shardText = parse.GetValue(_shard);
        var request = new RunRequest
        {
            Suite = suite,
            Root = parse.GetValue(_root),
            ModelsDir = parse.GetValue(_modelsDir),
            OutputDir = parse.GetValue(_out),
            Shard = shardText is null ? suite.Shard : SuiteLoader.ParseShard(shardText),
            Strict = parse.GetValue(_strict),
            WritePredictions = parse.GetValue(_writePredictions),
        };
        if (request.Root is not null && suite.Dataset.Kind == DatasetKind.Synthetic)
        {
            Output.Warning($"--root is ignored: suite {suite.Name} is synthetic (it reads no images)");
        }
        Output.Line($"suite {suite.Name}: {suite.Dataset}; {Plural(suite.Variants.Count, suite.Sweep is null ? "variant" : "configuration")} × {Plural(suite.Backends.Count, "backend")}, {Plural(suite.Repeats, "timed repeat")}{(suite.Detectors.Count > 1 ? $", {suite.Detectors.Count} detectors" : "")}");
        if (suite.Detectors.Count > 1)
        {
            var top = MultiDetectorRun.Run(request, one =>
            {
                Output.Line($"detector {one.Suite.Detector!.Label}:");
                var result = ConsoleRunObserver.Run(Output, $"run {suite.Name} [{one.Suite.Detector.Label}]", ExpectedImages(suite), observer => RunSession.Run(one, observer, cancellationToken));
                Report(result, sweep: suite.Sweep is not null);
                return result;
            }, DateTime.UtcNow);
            Output.Line($"all detectors: {Path.GetFullPath(top)} (report.md opens with the verdict matrix)");
            return ExitCodes.Success;
        }
        var single = ConsoleRunObserver.Run(Output, $"run {suite.Name}", ExpectedImages(suite), observer => RunSession.Run(request, observer, cancellationToken));
        Report(single, sweep: suite.Sweep is not null);
        return ExitCodes.Success;
    }

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";

    private static int ExpectedImages(Suite suite) => suite.Dataset.Kind == DatasetKind.Synthetic ? suite.Dataset.Images : 0;

    private void Report(RunSessionResult result, bool sweep)
    {
        if (result.SkippedImages.Count > 0)
        {
            Output.Line($"{result.SkippedImages.Count} image(s) skipped (listed in the results):");
            foreach (var line in result.SkippedImages) Output.Line($"  {line}");
        }
        if (result.Results is not { } run)
        {
            Output.Line($"shard done: {result.ImagesProcessed} images ({result.ImagesResumed} resumed) in {result.OutputDir}; combine the shards with: evalharness merge <shard folders…> --out DIR");
            return;
        }
        // A sweep has a row per configuration × backend: its tables are in the files, the verdicts here.
        ResultsConsole.Print(Output, run, rows: !sweep);
        Output.Line(sweep
            ? $"results: {Path.GetFullPath(result.OutputDir)} ({ResultFiles.Report}: tuned comparison first; sweep.csv, tuning.csv, pareto.csv, charts/)"
            : $"results: {Path.GetFullPath(result.OutputDir)} ({ResultFiles.Report}, {ResultFiles.Summary}, charts/); {result.ImagesResumed} of {result.ImagesProcessed} images resumed from a previous attempt");
    }
}
