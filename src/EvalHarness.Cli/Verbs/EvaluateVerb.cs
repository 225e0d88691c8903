using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using EvalHarness.Datasets;
using EvalHarness.IO;
using EvalHarness.Metrics;
using EvalHarness.Reporting;

namespace EvalHarness.Cli;

/// <summary><c>evaluate</c>: WIDER FACE AP of a prediction folder under the python (default) or matlab protocol.</summary>
internal static class EvaluateVerb
{
    private static readonly Option<string> Pred = new("--pred") { Description = "prediction folder: <event>/<image>.txt files", Required = true };
    private static readonly Option<string?> Gt = new("--gt") { Description = "folder with wider_face_val.mat and wider_{easy,medium,hard}_val.mat, or the WIDER root (default: $WIDERFACE_ROOT)" };
    private static readonly Option<string> Protocol = new("--protocol") { Description = "python (bit-exact with the public Python port) or matlab (official eval_tools)", DefaultValueFactory = _ => "python" };
    private static readonly Option<bool> Lenient = new("--lenient") { Description = "python protocol: read files the port would crash on with the matlab rules instead of stopping" };
    private static readonly Option<bool> Subset = new("--subset") { Description = "evaluate only the ground-truth images whose prediction file exists (the AP is labelled as a subset)" };
    private static readonly Option<string?> Out = new("--out") { Description = "write ap.csv, pr_curve.csv and pr_curve.png here" };
    private static readonly Option<bool> Timing = new("--timing") { Description = "print read / normalise / evaluate wall times" };

    public static Command Create()
    {
        var command = new Command("evaluate", "WIDER FACE AP (easy, medium, hard) of a prediction folder")
        {
            Pred, Gt, Protocol, Lenient, Subset, Out, Timing,
        };
        command.SetAction(parse => Run(
            parse.GetValue(Pred)!,
            parse.GetValue(Gt),
            EvalOptions.ParseProtocol(parse.GetValue(Protocol) ?? "python"),
            parse.GetValue(Lenient),
            parse.GetValue(Subset),
            parse.GetValue(Out),
            parse.GetValue(Timing)));
        return command;
    }

    private static int Run(string predictionDir, string? gtOption, EvalProtocol protocol, bool lenient, bool subset, string? outDir, bool timing)
    {
        var gtPath = DataPaths.ResolveWiderFaceRoot(gtOption)
            ?? throw new UsageException($"no ground truth: pass --gt or set {DataPaths.WiderFaceRootVariable}");
        var clock = Stopwatch.StartNew();
        var groundTruth = WiderGroundTruthLoader.Load(gtPath);
        if (subset) groundTruth = WiderGroundTruthLoader.RestrictToPredictionFiles(groundTruth, predictionDir);
        var loadTime = clock.Elapsed;

        var result = WiderFaceEvaluator.EvaluateFolder(groundTruth, predictionDir, new EvalOptions { Protocol = protocol, Lenient = lenient });

        const int shownWarnings = 10;
        foreach (var warning in result.Warnings.Take(shownWarnings)) Console.Error.WriteLine($"warning: {warning}");
        if (result.Warnings.Count > shownWarnings) Console.Error.WriteLine($"warning: ... and {result.Warnings.Count - shownWarnings} more");
        var label = result.IsSubset ? $" (SUBSET of {result.ImageCount} images: not comparable with full-set AP)" : "";
        Console.WriteLine($"protocol {protocol.ToString().ToLowerInvariant()}{label}");
        foreach (var setting in result.Settings)
        {
            Console.WriteLine($"{setting.Setting.Id(),-6} AP {setting.Ap.ToString("R", CultureInfo.InvariantCulture)}  ({setting.Faces} faces)");
        }
        if (outDir is not null)
        {
            foreach (var path in EvaluationOutputs.WriteAll(outDir, result)) Console.WriteLine($"wrote {path}");
        }
        if (timing)
        {
            var t = result.Timings;
            Console.WriteLine(FormattableString.Invariant(
                $"timing: ground truth {loadTime.TotalMilliseconds:F0} ms, read {t.Read.TotalMilliseconds:F0} ms, normalise {t.Normalize.TotalMilliseconds:F0} ms, evaluate {t.Evaluate.TotalMilliseconds:F0} ms, total (read+normalise+evaluate) {t.Total.TotalMilliseconds:F0} ms"));
        }
        return ExitCodes.Success;
    }
}
