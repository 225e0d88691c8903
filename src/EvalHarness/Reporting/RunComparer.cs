using System.Globalization;
using System.Text;
using CsvHelper;
using EvalHarness.Datasets;
using EvalHarness.IO;
using EvalHarness.Metrics.Statistics;
using EvalHarness.Reporting.Csv;

namespace EvalHarness.Reporting;

/// <summary>Thresholds of <see cref="RunComparer"/>.</summary>
public sealed record CompareOptions
{
    /// <summary>Relative growth of the normalised median latency that counts as a slowdown (0.15 = 15 %).</summary>
    public double LatencyThreshold { get; init; } = 0.15;

    /// <summary>Significance level of the Mann–Whitney test that must also agree.</summary>
    public double Alpha { get; init; } = 0.01;

    /// <summary>Allowed absolute AP difference; 0 means the AP must reproduce exactly.</summary>
    public double ApTolerance { get; init; }

    public CompareOptions Validate()
    {
        if (!(LatencyThreshold >= 0) || double.IsInfinity(LatencyThreshold)) throw new UsageException($"--latency-threshold must be a non-negative number, not {LatencyThreshold}");
        if (!(Alpha > 0 && Alpha < 1)) throw new UsageException($"--alpha must be in (0, 1), not {Alpha}");
        if (!(ApTolerance >= 0) || double.IsInfinity(ApTolerance)) throw new UsageException($"--ap-tolerance must be a non-negative number, not {ApTolerance}");
        return this;
    }
}

public enum ComparisonStatus
{
    Pass,
    Regression,
    /// <summary>Better than the baseline beyond the thresholds (passes; consider updating the baseline).</summary>
    Improved,
    /// <summary>Nothing to compare (n/a in the baseline, a new row, no samples): passes, with a note.</summary>
    Info,
}

/// <summary>One compared metric of one variant × backend.</summary>
public sealed record MetricComparison(
    string Variant,
    string Backend,
    string Metric,
    string Baseline,
    string Current,
    string Change,
    double? PValue,
    ComparisonStatus Status,
    string Note);

/// <summary>The outcome of comparing a run with a baseline.</summary>
public sealed record ComparisonReport(string Suite, IReadOnlyList<MetricComparison> Metrics, IReadOnlyList<string> Notes)
{
    public bool HasRegression => Metrics.Any(m => m.Status == ComparisonStatus.Regression);

    public IEnumerable<MetricComparison> Regressions => Metrics.Where(m => m.Status == ComparisonStatus.Regression);

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.Append("# Compare: ").Append(Suite).Append("\n\n");
        var regressions = Regressions.Count();
        md.Append(regressions == 0 ? "**No regression.**\n" : $"**{regressions} regression(s).**\n");
        foreach (var note in Notes) md.Append("\n> ").Append(note).Append('\n');
        md.Append("\n| variant | backend | metric | baseline | current | change | p | result | note |\n");
        md.Append("|---|---|---|---:|---:|---:|---:|---|---|\n");
        foreach (var m in Metrics)
        {
            md.Append("| ").Append(Cell(m.Variant)).Append(" | ").Append(Cell(m.Backend)).Append(" | ").Append(m.Metric)
              .Append(" | ").Append(Cell(m.Baseline)).Append(" | ").Append(Cell(m.Current)).Append(" | ").Append(m.Change)
              .Append(" | ").Append(m.PValue is { } p ? p.ToString("0.###e+0", CultureInfo.InvariantCulture) : "")
              .Append(" | ").Append(m.Status == ComparisonStatus.Regression ? "**REGRESSION**" : StatusId(m.Status))
              .Append(" | ").Append(Cell(m.Note)).Append(" |\n");
        }
        return md.ToString();
    }

    /// <summary>Writes compare.md and compare.csv into <paramref name="folder"/> (atomically).</summary>
    public void Write(string folder)
    {
        AtomicFile.WriteAllText(Path.Combine(folder, "compare.md"), ToMarkdown());
        CsvFiles.Write(Path.Combine(folder, "compare.csv"), Metrics.Select(m => new ComparisonRecord
        {
            Variant = m.Variant,
            Backend = m.Backend,
            Metric = m.Metric,
            Baseline = m.Baseline,
            Current = m.Current,
            Change = m.Change,
            PValue = m.PValue,
            Status = StatusId(m.Status),
            Note = m.Note,
        }));
    }

    public static string StatusId(ComparisonStatus status) => status switch
    {
        ComparisonStatus.Pass => "pass",
        ComparisonStatus.Regression => "regression",
        ComparisonStatus.Improved => "improved",
        ComparisonStatus.Info => "info",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    private static string Cell(string text) => text.Replace("|", "\\|").Replace("\n", " ");
}

/// <summary>One row of compare.csv.</summary>
[CsvRecord]
internal sealed partial class ComparisonRecord
{
    [CsvColumn("variant")] public string Variant { get; set; } = "";
    [CsvColumn("backend")] public string Backend { get; set; } = "";
    [CsvColumn("metric")] public string Metric { get; set; } = "";
    [CsvColumn("baseline")] public string Baseline { get; set; } = "";
    [CsvColumn("current")] public string Current { get; set; } = "";
    [CsvColumn("change")] public string Change { get; set; } = "";
    [CsvColumn("p_value")] public double? PValue { get; set; }
    [CsvColumn("status")] public string Status { get; set; } = "";
    [CsvColumn("note")] public string Note { get; set; } = "";
}

/// <summary>
/// Compares a run with a baseline run of the same suite, for CI.
/// <list type="bullet">
/// <item>AP: suites are deterministic, so every setting's AP must reproduce within
/// <see cref="CompareOptions.ApTolerance"/> (default: exactly); any other value is a regression
/// (a deliberate change needs <c>baseline update</c>).</item>
/// <item>Detections: when both runs carry <c>detections_sha256</c>, the hashes must match.</item>
/// <item>Latency: each variant × backend median is divided by the median of the baseline variant
/// (<c>nms</c>) on the reference backend (<c>scalar</c>) <i>of the same run</i>, so a machine that is
/// uniformly slower or faster changes nothing. A regression needs both: the normalised median grew
/// by more than <see cref="CompareOptions.LatencyThreshold"/>, and a two-sided Mann–Whitney test of
/// the normalised per-image latencies (repeats collapsed to their median) has p &lt; α. Without
/// per-image samples the slowdown is reported but cannot fail the comparison. The reference row
/// itself is 1 by construction; its raw change is shown as the machine factor. Given a latency
/// baseline (a run of the baseline's code on the current machine), latency is compared with it
/// instead of the baseline's own timings.</item>
/// <item>A variant × backend of the baseline missing (or not ok) in the current run is a
/// regression, unless the baseline marks it n/a (or failed).</item>
/// </list>
/// Unusable input (different suites, subset vs full set, no reference row) throws
/// <see cref="EvalHarnessException"/>, which the CLI turns into exit code 2.
/// </summary>
public static class RunComparer
{
    public static ComparisonReport Compare(string baselinePath, string currentPath, CompareOptions? options = null, string? latencyBaselinePath = null) =>
        Compare(RunResultsReader.Read(baselinePath), RunResultsReader.Read(currentPath), options,
                latencyBaselinePath is null ? null : RunResultsReader.Read(latencyBaselinePath));

    /// <summary>
    /// The dataset text with the older synthetic form "synthetic (seed 1, 24 images), 24 images"
    /// read as today's "synthetic (seed 1), 24 images", so a baseline from before the change still compares.
    /// </summary>
    internal static string SameDataKey(string dataset) =>
        System.Text.RegularExpressions.Regex.Replace(dataset, @"^synthetic \(seed (-?\d+), (\d+) images\), \2 images", "synthetic (seed $1), $2 images", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>
    /// Compares <paramref name="current"/> with <paramref name="baseline"/>. With a
    /// <paramref name="latencyBaseline"/> (a run of the baseline's code on the current machine,
    /// what CI makes), latency is compared with that run instead of the baseline's own timings:
    /// timings taken on another machine differ in their balance between kernels (seen in CI: soft-NMS
    /// on simd 1.67x and 1.46x slower relative to nms on scalar on one runner, every other row within 14 %),
    /// which no normalisation removes. AP, detections and row status still come from
    /// <paramref name="baseline"/>.
    /// </summary>
    public static ComparisonReport Compare(RunResults baseline, RunResults current, CompareOptions? options = null, RunResults? latencyBaseline = null)
    {
        options = (options ?? new CompareOptions()).Validate();
        RequireComparable(baseline, current, "baseline");
        if (latencyBaseline is not null) RequireComparable(latencyBaseline, current, "latency baseline");

        var timed = latencyBaseline ?? baseline;
        var notes = new List<string>();
        var metrics = new List<MetricComparison>();
        var baseRef = ReferenceMedian(timed, latencyBaseline is null ? "baseline" : "latency baseline");
        var curRef = ReferenceMedian(current, "current");
        notes.Add(FormattableString.Invariant(
            $"Latency is normalised by the median of {timed.BaselineVariant} on {timed.ReferenceBackend} in each run ({baseRef:0.####} ms → {curRef:0.####} ms: machine factor {curRef / baseRef:0.###}). Slowdown threshold {options.LatencyThreshold:P0}, Mann–Whitney α {options.Alpha}."));
        if (latencyBaseline is not null) notes.Add(LatencyBaselineNote(baseline, latencyBaseline));

        if (timed.Environment is { } be && current.Environment is { } ce && DifferentMachines(be, ce))
        {
            notes.Add($"Different machines ({Describe(be)} → {Describe(ce)}): normalisation removes a uniform speed difference, not a different balance between backends or kernels.");
        }

        foreach (var b in baseline.Rows)
        {
            var c = current.Find(b.Variant, b.Backend);
            if (b.Status != RowStatus.Ok)
            {
                metrics.Add(new(b.Variant, b.Backend, "status", b.Status.Id(), c?.Status.Id() ?? "missing", "", null, ComparisonStatus.Info,
                    $"{b.Status.Id()} in the baseline{(b.Reason is null ? "" : ": " + b.Reason)}; not compared"));
                continue;
            }
            if (c is null || c.Status != RowStatus.Ok)
            {
                metrics.Add(new(b.Variant, b.Backend, "status", "ok", c?.Status.Id() ?? "missing", "", null, ComparisonStatus.Regression,
                    c is null ? "ran in the baseline, missing in the current run" : $"ran in the baseline, {c.Status.Id()} now{(c.Reason is null ? "" : ": " + c.Reason)}"));
                continue;
            }
            CompareAp(b, c, options, metrics);
            CompareHashes(b, c, metrics);
            var t = latencyBaseline is null ? b : latencyBaseline.Find(b.Variant, b.Backend);
            if (t is null || !t.IsOk)
            {
                metrics.Add(new(b.Variant, b.Backend, "latency_norm", t is null ? "missing" : t.Status.Id(), c.Latency is { } cl ? N(cl.Median / curRef) : "missing", "", null, ComparisonStatus.Info,
                    "not timed in the latency baseline; latency not compared"));
                continue;
            }
            CompareLatency(timed, t, c, current, baseRef, curRef, options, metrics);
        }
        foreach (var c in current.Rows)
        {
            if (baseline.Find(c.Variant, c.Backend) is null)
            {
                metrics.Add(new(c.Variant, c.Backend, "status", "missing", c.Status.Id(), "", null, ComparisonStatus.Info, "new in the current run; not in the baseline"));
            }
        }
        return new ComparisonReport(baseline.Suite, metrics, notes);
    }

    /// <summary>Unusable pairs (other suite, detector, data, subset vs full set) are an error, never a regression.</summary>
    private static void RequireComparable(RunResults reference, RunResults current, string which)
    {
        if (!string.Equals(reference.Suite, current.Suite, StringComparison.Ordinal))
        {
            throw new UsageException($"cannot compare different suites: {which} '{reference.Suite}', current '{current.Suite}'");
        }
        // An empty detector is a folder written before the column: it compares with any (its suite name already matched).
        if (reference.Detector.Length > 0 && current.Detector.Length > 0 && !string.Equals(reference.Detector, current.Detector, StringComparison.Ordinal))
        {
            throw new UsageException($"cannot compare different detectors: {which} '{reference.Detector}', current '{current.Detector}'");
        }
        // Same suite name on other images (another root, events or seed) is not a regression but unusable input.
        if (!string.Equals(SameDataKey(reference.Dataset), SameDataKey(current.Dataset), StringComparison.Ordinal))
        {
            throw new UsageException($"cannot compare runs on different data: {which} '{reference.Dataset}', current '{current.Dataset}'");
        }
        if (reference.IsSubset != current.IsSubset)
        {
            throw new UsageException($"cannot compare a subset run with a full-set run ({which} and current): their AP values are not comparable");
        }
    }

    private static string LatencyBaselineNote(RunResults baseline, RunResults latencyBaseline)
    {
        var timedAt = ShortCommit(latencyBaseline.Environment?.GitCommit);
        var recordedAt = ShortCommit(baseline.Environment?.GitCommit);
        var note = $"Latency is compared with the latency baseline (commit {timedAt}), not with the baseline's own timings; AP, detections and row status are compared with the baseline (recorded at commit {recordedAt}).";
        return timedAt == recordedAt || timedAt == "unknown" || recordedAt == "unknown"
            ? note
            : note + " The two commits differ: the latency baseline is not the baseline's code.";
    }

    /// <summary>A different CPU (model or, where known, family/model/stepping), core count, vector width or GPU.</summary>
    internal static bool DifferentMachines(EnvironmentInfo a, EnvironmentInfo b) =>
        a.CpuModel != b.CpuModel
        || (a.CpuSignature is not null && b.CpuSignature is not null && a.CpuSignature != b.CpuSignature)
        || (a.LogicalCores > 0 && b.LogicalCores > 0 && a.LogicalCores != b.LogicalCores)
        || (a.SimdWidthBits > 0 && b.SimdWidthBits > 0 && a.SimdWidthBits != b.SimdWidthBits)
        || a.GpuName != b.GpuName;

    private static string Describe(EnvironmentInfo e) =>
        FormattableString.Invariant($"{e.CpuDescription}, {e.LogicalCores} cores, {e.SimdWidthBits}-bit SIMD{(e.GpuName is null ? "" : " + " + e.GpuName)}");

    private static string ShortCommit(string? commit) => commit is null ? "unknown" : Short(commit, 7);

    private static double ReferenceMedian(RunResults run, string which)
    {
        var row = run.Find(run.BaselineVariant, run.ReferenceBackend);
        if (row is null || !row.IsOk || row.Latency is not { } latency || !(latency.Median > 0))
        {
            throw new EvalHarnessException(
                $"the {which} run has no timed ok row for {run.BaselineVariant} on {run.ReferenceBackend}, which latency is normalised by");
        }
        return latency.Median;
    }

    private static void CompareAp(ResultRow b, ResultRow c, CompareOptions options, List<MetricComparison> metrics)
    {
        if (b.Ap is not { } baseAp) return;
        foreach (var setting in SettingExtensions.All)
        {
            var metric = "ap_" + setting.Id();
            if (c.Ap is not { } curAp)
            {
                metrics.Add(new(b.Variant, b.Backend, metric, R(baseAp[setting]), "missing", "", null, ComparisonStatus.Regression, "AP missing in the current run"));
                continue;
            }
            var diff = curAp[setting] - baseAp[setting];
            var within = Math.Abs(diff) <= options.ApTolerance;
            metrics.Add(new(b.Variant, b.Backend, metric, R(baseAp[setting]), R(curAp[setting]),
                diff == 0 ? "0" : diff.ToString("+0.######;-0.######", CultureInfo.InvariantCulture), null,
                within ? ComparisonStatus.Pass : ComparisonStatus.Regression,
                within ? "" : diff < 0 ? "AP dropped: the suite is deterministic" : "AP changed: the suite is deterministic; update the baseline if intended"));
        }
    }

    private static void CompareHashes(ResultRow b, ResultRow c, List<MetricComparison> metrics)
    {
        if (b.DetectionsSha256 is not { } bh || c.DetectionsSha256 is not { } ch) return;
        var same = string.Equals(bh, ch, StringComparison.OrdinalIgnoreCase);
        metrics.Add(new(b.Variant, b.Backend, "detections_sha256", Short(bh), Short(ch), same ? "same" : "differs", null,
            same ? ComparisonStatus.Pass : ComparisonStatus.Regression, same ? "" : "detections differ from the baseline"));
    }

    /// <summary>Row <paramref name="b"/> of the timed reference run <paramref name="timed"/> against row <paramref name="c"/> of <paramref name="current"/>.</summary>
    private static void CompareLatency(RunResults timed, ResultRow b, ResultRow c, RunResults current, double baseRef, double curRef,
        CompareOptions options, List<MetricComparison> metrics)
    {
        const string metric = "latency_norm";
        if (b.Latency is not { } bl) return;
        if (c.Latency is not { } cl)
        {
            metrics.Add(new(b.Variant, b.Backend, metric, N(bl.Median / baseRef), "missing", "", null, ComparisonStatus.Regression, "latency missing in the current run"));
            return;
        }
        var baseNorm = bl.Median / baseRef;
        var curNorm = cl.Median / curRef;
        var change = curNorm / baseNorm - 1;
        var changeText = change.ToString("+0.0%;-0.0%;0.0%", CultureInfo.InvariantCulture);
        var raw = FormattableString.Invariant($"raw median {bl.Median:0.####} → {cl.Median:0.####} ms");
        var isReference = b.Variant == timed.BaselineVariant && b.Backend == timed.ReferenceBackend;
        if (isReference)
        {
            metrics.Add(new(b.Variant, b.Backend, metric, N(baseNorm), N(curNorm), changeText, null, ComparisonStatus.Info, raw + " (the reference: machine factor)"));
            return;
        }

        var baseSamples = timed.FindSamples(b.Variant, b.Backend);
        var curSamples = current.FindSamples(c.Variant, c.Backend);
        if (baseSamples is null || curSamples is null || baseSamples.Milliseconds.Length == 0 || curSamples.Milliseconds.Length == 0)
        {
            var slower = change > options.LatencyThreshold;
            metrics.Add(new(b.Variant, b.Backend, metric, N(baseNorm), N(curNorm), changeText, null, ComparisonStatus.Info,
                raw + (slower ? "; slower beyond the threshold, but there are no per-image samples to test significance" : "; no per-image samples")));
            return;
        }

        var x = Normalised(curSamples, curRef);
        var y = Normalised(baseSamples, baseRef);
        var test = MannWhitney.Test(x, y);
        var significant = test.PValue < options.Alpha;
        ComparisonStatus status;
        string note;
        if (change > options.LatencyThreshold && significant && test.Z > 0)
        {
            status = ComparisonStatus.Regression;
            note = "slower relative to the reference: " + raw;
        }
        else if (change < -options.LatencyThreshold && significant && test.Z < 0)
        {
            status = ComparisonStatus.Improved;
            note = "faster relative to the reference: " + raw;
        }
        else
        {
            status = ComparisonStatus.Pass;
            note = raw + (Math.Abs(change) > options.LatencyThreshold ? "; beyond the threshold but not significant" : "");
        }
        metrics.Add(new(b.Variant, b.Backend, metric, N(baseNorm), N(curNorm), changeText, test.PValue, status, note));
    }

    private static double[] Normalised(LatencySeries series, double reference)
    {
        var (_, perImage) = series.PerImageMedians();
        for (var i = 0; i < perImage.Length; i++) perImage[i] /= reference;
        return perImage;
    }

    private static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);
    private static string N(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);
    private static string Short(string hash, int length = 12) => hash.Length > length ? hash[..length] : hash;
}
