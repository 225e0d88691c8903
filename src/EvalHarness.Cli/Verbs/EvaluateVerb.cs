using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using EvalHarness.Cli.Interaction;
using EvalHarness.Datasets;
using EvalHarness.IO;
using EvalHarness.Metrics;
using EvalHarness.Reporting;

namespace EvalHarness.Cli;

/// <summary><c>evaluate</c>: WIDER FACE AP of one or more prediction folders under the python (default) or matlab protocol.</summary>
internal sealed class EvaluateVerb(CliOutput output) : Verb(output)
{
    private readonly Option<string[]> _pred = VerbOptions.Many("--pred", "Prediction folder (<event>/<image>.txt files); repeat to compare several methods", required: true);
    private readonly Option<string[]> _label = VerbOptions.Many("--label", "Name of each --pred in tables and legends, in the same order (default: the folder name)");
    private readonly Option<string?> _gt = VerbOptions.Optional<string?>("--gt", $"Folder with wider_face_val.mat and wider_{{easy,medium,hard}}_val.mat, or the WIDER root (default: ${DataPaths.WiderFaceRootVariable})");
    private readonly Option<string> _protocol = VerbOptions.WithDefault("--protocol", "Protocol: python (bit-exact with the public Python port) or matlab (official eval_tools)", "python");
    private readonly Option<bool> _lenient = VerbOptions.Optional<bool>("--lenient", "Python protocol: read files the port would crash on with the matlab rules; a folder that cannot be read at all is skipped with a warning");
    private readonly Option<bool> _subset = VerbOptions.Optional<bool>("--subset", "Evaluate only the ground-truth images that have a prediction file in every --pred folder (the AP is labelled as a subset)");
    private readonly Option<bool> _breakdown = VerbOptions.Optional<bool>("--breakdown", "Also AP by face height and by annotation attribute (blur, occlusion, pose, illumination, expression)");
    private readonly Option<string?> _out = VerbOptions.Optional<string?>("--out", "Write ap.csv, pr_curves.csv, charts/pr_<setting>.png (and breakdown.csv, charts/breakdown.png) here");
    private readonly Option<bool> _timing = VerbOptions.Optional<bool>("--timing", "Print read / normalise / evaluate wall times");

    public override Command Create() => Command("evaluate", "WIDER FACE AP (easy, medium, hard) of one or more prediction folders",
        [_pred, _label, _gt, _protocol, _lenient, _subset, _breakdown, _out, _timing],
        (parse, _) => Run(new Request(
            parse.GetValue(_pred)!,
            parse.GetValue(_label) ?? [],
            parse.GetValue(_gt),
            EvalOptions.ParseProtocol(parse.GetValue(_protocol) ?? "python"),
            parse.GetValue(_lenient),
            parse.GetValue(_subset),
            parse.GetValue(_breakdown),
            parse.GetValue(_out),
            parse.GetValue(_timing))));

    private sealed record Request(string[] Predictions, string[] Labels, string? Gt, EvalProtocol Protocol, bool Lenient, bool Subset, bool Breakdown, string? Out, bool Timing);

    private int Run(Request request)
    {
        var labels = MethodLabels(request.Predictions, request.Labels);
        var gtPath = DataPaths.ResolveWiderFaceRoot(request.Gt)
            ?? throw new UsageException($"no ground truth: pass --gt or set {DataPaths.WiderFaceRootVariable}");
        var clock = Stopwatch.StartNew();
        var groundTruth = WiderGroundTruthLoader.LoadCached(gtPath);
        if (request.Subset)
        {
            foreach (var folder in request.Predictions) groundTruth = WiderGroundTruthLoader.RestrictToPredictionFiles(groundTruth, folder);
        }
        var loadTime = clock.Elapsed;
        var options = new EvalOptions { Protocol = request.Protocol, Lenient = request.Lenient };
        var notes = new List<string>();
        var kinds = request.Breakdown ? BreakdownKinds(groundTruth, gtPath, notes) : null;

        var methods = new List<EvaluatedMethod>();
        for (var m = 0; m < request.Predictions.Length; m++)
        {
            try
            {
                var folder = WiderFaceEvaluator.ReadFolder(groundTruth, request.Predictions[m], options);
                var result = WiderFaceEvaluator.Evaluate(groundTruth, folder, options);
                var breakdown = kinds is null ? null : SubsetBreakdown.Compute(groundTruth, folder.Predictions, options, kinds, folder.Path);
                methods.Add(new EvaluatedMethod(labels[m], result, breakdown));
            }
            catch (EvalHarnessException ex) when (request.Lenient)
            {
                // the documented partial failure of --lenient: an unreadable folder is skipped with a warning
                notes.Add($"{labels[m]}: skipped, {ex.Message} (--lenient)");
            }
        }
        foreach (var note in notes) Output.Warning(note);
        if (methods.Count == 0) throw new UsageException("no prediction folder could be evaluated");

        PrintAp(methods, request.Protocol);
        if (kinds is not null) PrintBreakdown(methods);
        if (request.Out is not null)
        {
            foreach (var path in EvaluationOutputs.WriteAll(request.Out, methods)) Output.Line($"wrote {path}");
        }
        if (request.Timing)
        {
            foreach (var method in methods)
            {
                var t = method.Result.Timings;
                var prefix = methods.Count > 1 ? $"{method.Method}: " : "";
                Output.Line(FormattableString.Invariant(
                    $"{prefix}timing: ground truth {loadTime.TotalMilliseconds:F0} ms, read {t.Read.TotalMilliseconds:F0} ms, normalise {t.Normalize.TotalMilliseconds:F0} ms, evaluate {t.Evaluate.TotalMilliseconds:F0} ms, total (read+normalise+evaluate) {t.Total.TotalMilliseconds:F0} ms"));
            }
        }
        return ExitCodes.Success;
    }

    /// <summary>--label values, or each folder's name; names must be unique (they key the CSV rows).</summary>
    private static string[] MethodLabels(string[] predictions, string[] labels)
    {
        if (labels.Length != 0 && labels.Length != predictions.Length)
        {
            throw new UsageException($"{labels.Length} --label value(s) for {predictions.Length} --pred folder(s): give one label per folder or none");
        }
        var names = new string[predictions.Length];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = labels.Length > 0 ? labels[i] : Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(predictions[i])));
            if (string.IsNullOrWhiteSpace(names[i])) throw new UsageException($"--label {i + 1} is empty");
        }
        var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new UsageException($"two methods are named '{duplicate.Key}': give each --pred its own --label");
        return names;
    }

    /// <summary>Height always; the five attributes when the text annotations are found beside the .mat files.</summary>
    private static IReadOnlyList<BreakdownKind> BreakdownKinds(GroundTruth groundTruth, string gtPath, List<string> notes)
    {
        var gtDir = WiderGroundTruthLoader.ResolveGroundTruthDir(gtPath);
        var annotations = FaceAttributeFile.Find(gtDir, gtPath);
        if (annotations is null)
        {
            notes.Add($"no {FaceAttributeFile.FileName} beside {gtDir} or under {gtPath}/wider_face_split: breakdown by face height only");
            return [BreakdownKind.Height];
        }
        var attributes = FaceAttributeFile.Load(annotations, groundTruth, notes);
        return [BreakdownKind.Height, .. BreakdownKind.Attributes(attributes)];
    }

    private void PrintAp(List<EvaluatedMethod> methods, EvalProtocol protocol)
    {
        const int shownWarnings = 10;
        foreach (var method in methods)
        {
            var prefix = methods.Count > 1 ? $"{method.Method}: " : "";
            var warnings = method.Result.Warnings;
            foreach (var warning in warnings.Take(shownWarnings)) Output.Warning($"{prefix}{warning}");
            if (warnings.Count > shownWarnings) Output.Warning($"{prefix}... and {warnings.Count - shownWarnings} more");
        }
        var first = methods[0].Result;
        var label = first.IsSubset ? $" (SUBSET of {first.ImageCount} images: not comparable with full-set AP)" : "";
        Output.Line($"protocol {protocol.ToString().ToLowerInvariant()}{label}");
        foreach (var method in methods)
        {
            if (methods.Count > 1) Output.Line(method.Method);
            var indent = methods.Count > 1 ? "  " : "";
            foreach (var setting in method.Result.Settings)
            {
                Output.Line($"{indent}{setting.Setting.Id(),-6} AP {setting.Ap.ToString("R", CultureInfo.InvariantCulture)}  ({setting.Faces} faces)");
            }
        }
    }

    private void PrintBreakdown(List<EvaluatedMethod> methods)
    {
        Output.Line("breakdown: AP on the hard setting's faces within each subset (other faces ignored)");
        var width = Math.Max(8, methods.Max(m => m.Method.Length));
        Output.Line($"{"kind",-13}{"bucket",-11}{"faces",7}  {string.Join("  ", methods.Select(m => m.Method.PadLeft(width)))}");
        var rows = methods[0].Breakdown!;
        for (var r = 0; r < rows.Count; r++)
        {
            var cells = methods.Select(m => (m.Breakdown![r].Ap is { } ap ? ap.ToString("0.0000", CultureInfo.InvariantCulture) : "n/a").PadLeft(width));
            Output.Line($"{rows[r].Kind,-13}{rows[r].Bucket,-11}{rows[r].Faces,7}  {string.Join("  ", cells)}");
        }
    }
}
