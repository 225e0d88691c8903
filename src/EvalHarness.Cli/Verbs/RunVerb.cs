using System.CommandLine;
using System.Globalization;
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
internal static class RunVerb
{
    private static readonly Option<string> SuiteOption = new("--suite") { Description = $"built-in suite ({string.Join(", ", SuiteLoader.BuiltInNames)}) or a suite .json file", DefaultValueFactory = _ => "quick" };
    private static readonly Option<string?> Root = new("--root") { Description = $"WIDER FACE root (default: ${DataPaths.WiderFaceRootVariable})" };
    private static readonly Option<string?> ModelsDir = new("--models-dir") { Description = $"folder with the ONNX models (default: ${DataPaths.ModelsDirVariable} or models/)" };
    private static readonly Option<string?> Out = new("--out") { Description = "results folder (default: resume the newest unfinished run of the suite, else results/<timestamp>-<suite>)" };
    private static readonly Option<string?> Shard = new("--shard") { Description = "run only slice i of n (e.g. 2/4); combine the slices with 'merge'" };
    private static readonly Option<bool> Strict = new("--strict") { Description = "stop at the first bad image instead of reporting and skipping it" };
    private static readonly Option<bool> WritePredictions = new("--write-predictions") { Description = "also write a WIDER-format prediction folder per variant under <out>/predictions" };

    public static Command Create()
    {
        var command = new Command("run", "Measure AP and latency of every variant × backend of a suite; write CSVs, charts and report.md")
        {
            SuiteOption, Root, ModelsDir, Out, Shard, Strict, WritePredictions,
        };
        command.SetAction((parse, cancellationToken) => Task.FromResult(Execute(parse, cancellationToken)));
        return command;
    }

    private static int Execute(ParseResult parse, CancellationToken cancellationToken)
    {
        var suite = SuiteLoader.Load(parse.GetValue(SuiteOption)!);
        var shardText = parse.GetValue(Shard);
        var request = new RunRequest
        {
            Suite = suite,
            Root = parse.GetValue(Root),
            ModelsDir = parse.GetValue(ModelsDir),
            OutputDir = parse.GetValue(Out),
            Shard = shardText is null ? suite.Shard : SuiteLoader.ParseShard(shardText),
            Strict = parse.GetValue(Strict),
            WritePredictions = parse.GetValue(WritePredictions),
        };
        if (request.Root is not null && suite.Dataset.Kind == DatasetKind.Synthetic)
        {
            Console.Error.WriteLine($"warning: --root is ignored: suite {suite.Name} is synthetic (it reads no images)");
        }
        Console.WriteLine($"suite {suite.Name}: {suite.Dataset}; {Plural(suite.Variants.Count, suite.Sweep is null ? "variant" : "configuration")} × {Plural(suite.Backends.Count, "backend")}, {Plural(suite.Repeats, "timed repeat")}{(suite.Detectors.Count > 1 ? $", {suite.Detectors.Count} detectors" : "")}");
        if (suite.Detectors.Count > 1)
        {
            var top = MultiDetectorRun.Run(request, one =>
            {
                Console.WriteLine($"detector {one.Suite.Detector!.Label}:");
                var result = ConsoleRunObserver.Run($"run {suite.Name} [{one.Suite.Detector.Label}]", ExpectedImages(suite), observer => RunSession.Run(one, observer, cancellationToken));
                Report(result, sweep: suite.Sweep is not null);
                return result;
            }, DateTime.UtcNow);
            Console.WriteLine($"all detectors: {Path.GetFullPath(top)} (report.md opens with the verdict matrix)");
            return ExitCodes.Success;
        }
        var single = ConsoleRunObserver.Run($"run {suite.Name}", ExpectedImages(suite), observer => RunSession.Run(request, observer, cancellationToken));
        Report(single, sweep: suite.Sweep is not null);
        return ExitCodes.Success;
    }

    internal static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";

    private static int ExpectedImages(Suite suite) => suite.Dataset.Kind == DatasetKind.Synthetic ? suite.Dataset.Images : 0;

    internal static void Report(RunSessionResult result, bool sweep = false)
    {
        if (result.SkippedImages.Count > 0)
        {
            Console.WriteLine($"{result.SkippedImages.Count} image(s) skipped (listed in the results):");
            foreach (var line in result.SkippedImages) Console.WriteLine($"  {line}");
        }
        if (result.Results is not { } run)
        {
            Console.WriteLine($"shard done: {result.ImagesProcessed} images ({result.ImagesResumed} resumed) in {result.OutputDir}; combine the shards with: evalharness merge <shard folders…> --out DIR");
            return;
        }
        // A sweep has a row per configuration × backend: its tables are in the files, the verdicts here.
        ResultsConsole.Print(run, rows: !sweep);
        Console.WriteLine(sweep
            ? $"results: {Path.GetFullPath(result.OutputDir)} ({ResultFiles.Report}: tuned comparison first; sweep.csv, tuning.csv, pareto.csv, charts/)"
            : $"results: {Path.GetFullPath(result.OutputDir)} ({ResultFiles.Report}, {ResultFiles.Summary}, charts/); {result.ImagesResumed} of {result.ImagesProcessed} images resumed from a previous attempt");
    }
}

/// <summary><c>merge DIR…</c>: combines the shard folders of one suite into the results of an unsharded run.</summary>
internal static class MergeVerb
{
    public static Command Create()
    {
        var dirs = new Argument<string[]>("shards") { Description = "the shard result folders (each has run.json and images/)", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "folder for the merged results", Required = true };
        var root = new Option<string?>("--root") { Description = $"WIDER FACE root (default: ${DataPaths.WiderFaceRootVariable})" };
        var predictions = new Option<bool>("--write-predictions") { Description = "also write a WIDER-format prediction folder per variant" };
        var command = new Command("merge", "Combine shards (run --shard i/n) into one result, identical to an unsharded run but for timings") { dirs, output, root, predictions };
        command.SetAction(parse =>
        {
            var run = RunSession.Merge(parse.GetValue(dirs)!, parse.GetValue(output)!, parse.GetValue(root), parse.GetValue(predictions));
            ResultsConsole.Print(run);
            Console.WriteLine($"results: {Path.GetFullPath(parse.GetValue(output)!)}");
            return ExitCodes.Success;
        });
        return command;
    }
}

/// <summary>The summary and verdict tables as plain text (readable in CI logs and on a terminal alike).</summary>
internal static class ResultsConsole
{
    /// <summary>A speed ratio with three significant digits: 20.4, 1.00, 0.380, 0.00360 (never "0.00" for a real ratio).</summary>
    internal static string Ratio(double value)
    {
        if (!double.IsFinite(value) || value <= 0) return "n/a";
        var decimals = Math.Clamp(2 - (int)Math.Floor(Math.Log10(value)), 0, 6);
        return value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>Rounding noise of a bound at zero (-5.55e-17) prints as 0.</summary>
    private static double Clean(double value) => Math.Abs(value) < 1e-12 ? 0 : value;

    public static void Print(RunResults run, bool rows = true)
    {
        var ci = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine($"{run.Suite}: {run.Dataset}{(run.IsSubset ? " — subset AP, not comparable with full-set numbers" : "")}");
        // Without an nms row there is nothing to compare with: say so instead of calling every row the baseline.
        var hasNms = run.Rows.Any(r => r.Variant == "nms" || r.Variant.StartsWith("nms(", StringComparison.Ordinal));
        Console.WriteLine($"{"variant",-20} {"backend",-7} {"AP easy",8} {"medium",8} {"hard",8} {"ΔAP hard [95% CI]",-26} {"median ms",10} {"p90 ms",8} {"× nms",7}");
        foreach (var row in rows ? run.Rows : [])
        {
            if (!row.IsOk)
            {
                Console.WriteLine($"{row.Variant,-20} {row.Backend,-7} {row.Status.Id()}: {row.Reason}");
                continue;
            }
            var ap = row.Ap!.Value;
            var delta = row.DeltaAp is { } d ? string.Format(ci, "{0:+0.0000;-0.0000} [{1:+0.0000;-0.0000}, {2:+0.0000;-0.0000}]", d.Hard.Estimate, Clean(d.Hard.Lower), Clean(d.Hard.Upper)) : hasNms ? "(baseline)" : "n/a (no nms)";
            var ratio = row.SpeedRatio is { } r ? Ratio(r.Estimate) : hasNms ? "1.00" : "n/a";
            Console.WriteLine(string.Format(ci, "{0,-20} {1,-7} {2,8:0.0000} {3,8:0.0000} {4,8:0.0000} {5,-26} {6,10:0.000} {7,8:0.000} {8,7}",
                row.Variant, row.Backend, ap.Easy, ap.Medium, ap.Hard, delta, row.Latency!.Value.Median, row.Latency!.Value.P90, ratio));
        }
        if (run.Verdicts.Count == 0) return; // no gradient-clipping variant (or no nms): nothing to judge
        Console.WriteLine();
        Console.WriteLine("verdicts on the article's claims (gradient clipping vs nms):");
        foreach (var v in run.Verdicts)
        {
            Console.WriteLine($"  {v.Variant,-12} {Metrics.Statistics.Verdicts.Id(v.Claim),-18} {v.Scope,-8} {Metrics.Statistics.Verdicts.Id(v.Outcome),-13} {v.Evidence}");
        }
    }
}
