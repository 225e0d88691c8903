using System.Diagnostics;
using EvalHarness.Datasets;
using EvalHarness.Metrics;
using EvalHarness.Metrics.Statistics;
using EvalHarness.PostProcessing;
using EvalHarness.Reporting;

namespace EvalHarness.Sweeps;

/// <summary>What the analysis needs besides the measurements.</summary>
internal sealed record SweepContext
{
    public required string SuiteName { get; init; }

    /// <summary>The detector's label (<see cref="RunResults.Detector"/>).</summary>
    public string Detector { get; init; } = "";

    public required string Dataset { get; init; }
    public required TuningSpec Tuning { get; init; }
    public required IReadOnlyList<VariantGrid> Grids { get; init; }

    /// <summary>Fold of each measured image.</summary>
    public required int[] FoldOfImage { get; init; }
    public required string FoldRule { get; init; }
    public BootstrapOptions Bootstrap { get; init; } = BootstrapOptions.Default;
    public EnvironmentInfo? Environment { get; init; }
    public string? SuiteJson { get; init; }
}

/// <summary>
/// Turns a sweep's measurements into results: AP of every configuration (and on each fold),
/// cross-fitted picks per family, the tuned families' held-out AP with ΔAP against tuned nms
/// (paired bootstrap over images), their latency ratios, the matched-accuracy speed verdict,
/// the untuned verdicts of each family's default configuration, and the Pareto frontier.
/// </summary>
internal static class SweepAnalysis
{
    private static readonly EvalOptions SingleThreaded = EvalOptions.Default with { MaxDegreeOfParallelism = 1 };

    public static SweepResults Analyse(SweepContext context, SweepMeasurements m)
    {
        var clock = Stopwatch.StartNew();
        var configs = m.Configurations;
        var imageCount = m.Images.Count;
        var folds = context.Tuning.Folds;
        var members = FoldAssignment.Members(context.FoldOfImage, folds);
        var tuningImages = new int[folds][];
        for (var f = 0; f < folds; f++) tuningImages[f] = [.. Enumerable.Range(0, imageCount).Where(i => context.FoldOfImage[i] != f)];

        var boxes = new PredBox[configs.Count][][];
        var full = new EvaluationResult[configs.Count];
        var onTuning = new PerSetting<double>[configs.Count, folds];
        var onHeldOut = new PerSetting<double>[configs.Count, folds];
        Parallel.For(0, configs.Count, c =>
        {
            boxes[c] = ToBoxes(m.Detections[c]);
            full[c] = Evaluate(m, i => boxes[c][i], null);
            for (var f = 0; f < folds; f++)
            {
                onHeldOut[c, f] = ApOf(Evaluate(m, i => boxes[c][i], members[f]));
                onTuning[c, f] = folds == 2 ? default : ApOf(Evaluate(m, i => boxes[c][i], tuningImages[f]));
            }
            if (folds == 2)
            {
                for (var f = 0; f < 2; f++) onTuning[c, f] = onHeldOut[c, 1 - f];
            }
        });

        // Latency for ties and bounds: the first backend that ran; tuning images only.
        var tuningBackend = -1;
        for (var b = 0; b < m.Backends.Count && tuningBackend < 0; b++)
        {
            if (m.Cells[b].Any(cell => cell.IsOk())) tuningBackend = b;
        }
        double TuneMs(int c, int f) => tuningBackend < 0 || !m.Cells[tuningBackend][c].IsOk() ? double.NaN : MedianOver(m.Cells[tuningBackend][c].PerImageMedians, tuningImages[f]);
        TuningCandidate Candidate(int c, int f)
        {
            var ap = onTuning[c, f];
            var ms = TuneMs(c, f);
            return new TuningCandidate(configs[c].ToString(), context.Tuning.Objective.Score(ap.Easy, ap.Medium, ap.Hard, ms), ms);
        }

        // Families in order of first appearance.
        var families = new List<VariantKind>();
        foreach (var spec in configs)
        {
            if (!families.Contains(spec.Kind)) families.Add(spec.Kind);
        }
        var tuningRows = new List<TuningPick>();
        var picksOf = new Dictionary<VariantKind, int[]>();
        foreach (var kind in families)
        {
            var members_ = Enumerable.Range(0, configs.Count).Where(c => configs[c].Kind == kind).ToArray();
            var local = CrossFitting.PickPerFold(members_.Length, folds, (j, f) => Candidate(members_[j], f));
            var picks = local.Select(j => j < 0 ? -1 : members_[j]).ToArray();
            picksOf[kind] = picks;
            for (var f = 0; f < folds; f++)
            {
                var p = picks[f];
                tuningRows.Add(new TuningPick
                {
                    Family = VariantRegistry.NameOf(kind),
                    Fold = f + 1,
                    HeldOutImages = members[f].Length,
                    Pick = p < 0 ? null : configs[p].ToString(),
                    TuneObjective = p < 0 ? double.NaN : Candidate(p, f).Score,
                    TuneMedianMs = p < 0 ? double.NaN : TuneMs(p, f),
                    TuneAp = p < 0 ? null : onTuning[p, f],
                    HeldOutAp = p < 0 ? null : onHeldOut[p, f],
                });
            }
        }

        // Tuned families: each fold's pick on its own images.
        var assembled = new Dictionary<VariantKind, EvaluationResult>();
        var assembledMedians = new Dictionary<VariantKind, double[]?[]>();
        foreach (var kind in families)
        {
            var picks = picksOf[kind];
            if (picks.Any(p => p < 0)) continue;
            var perImage = CrossFitting.ConfigurationPerImage(context.FoldOfImage, picks);
            assembled[kind] = Evaluate(m, i => boxes[perImage[i]][i], null, parallel: true);
            assembledMedians[kind] = AssembleMedians(m, perImage);
        }

        var hasNms = assembled.ContainsKey(VariantKind.Nms);
        var tuned = new List<TunedFamily>();
        var tunedVerdicts = new List<ClaimVerdict>();
        foreach (var kind in families)
        {
            var name = VariantRegistry.NameOf(kind);
            var picks = picksOf[kind].Select(p => p < 0 ? null : configs[p].ToString()).ToArray();
            if (!assembled.TryGetValue(kind, out var evaluation))
            {
                tuned.Add(new TunedFamily { Family = name, Picks = picks, Problem = $"no configuration is eligible under {context.Tuning.Objective} in fold(s) {string.Join(", ", picks.Select((p, f) => (p, f)).Where(x => x.p is null).Select(x => x.f + 1))}" });
                if (kind.IsGradientClipping()) tunedVerdicts.Add(Verdicts.Accuracy(name + " (tuned)", null));
                continue;
            }
            PerSetting<Interval>? delta = null;
            if (hasNms && kind != VariantKind.Nms) delta = DeltaAp(evaluation.Records, assembled[VariantKind.Nms].Records, context.Bootstrap);
            var latency = new List<TunedLatency>();
            for (var b = 0; b < m.Backends.Count; b++)
            {
                var medians = assembledMedians[kind][b];
                var nms = hasNms ? assembledMedians[VariantKind.Nms][b] : null;
                latency.Add(new TunedLatency(m.Backends[b], medians is null ? null : LatencyStats.From(medians),
                    medians is not null && nms is not null && kind != VariantKind.Nms ? Bootstrap.MedianRatio(medians, nms, context.Bootstrap) : null));
            }
            tuned.Add(new TunedFamily { Family = name, Picks = picks, Ap = ApOf(evaluation), DeltaAp = delta, Latency = latency });
            if (kind.IsGradientClipping() && hasNms)
            {
                tunedVerdicts.Add(Verdicts.Accuracy(name + " (tuned)", delta is { } d ? AsDictionary(d) : null));
                for (var b = 0; b < latency.Count; b++)
                {
                    tunedVerdicts.Add(UnavailableReason(m, b) is { } reason
                        ? new ClaimVerdict(name + " (tuned)", Claim.ImprovesSpeed, latency[b].Backend, VerdictOutcome.NotApplicable, reason)
                        : Verdicts.Speed(name + " (tuned)", latency[b].Backend, latency[b].RatioToNms));
                }
            }
        }

        if (hasNms) AddMatchedAccuracy(context, m, configs, boxes, onTuning, TuneMs, picksOf[VariantKind.Nms], assembled[VariantKind.Nms], assembledMedians[VariantKind.Nms], tuningRows, tunedVerdicts, members);

        // Rows: every configuration on every backend.
        var rows = new List<SweepRow>();
        var resultRows = new List<ResultRow>();
        var series = new List<LatencySeries>();
        var ownEvaluations = new Dictionary<string, EvaluationResult>(StringComparer.Ordinal);
        for (var b = 0; b < m.Backends.Count; b++)
        {
            for (var c = 0; c < configs.Count; c++)
            {
                var cell = m.Cells[b][c];
                var label = configs[c].ToString();
                var evaluation = full[c];
                var sha = m.DetectionsSha256[c];
                var detections = m.Detections[c];
                if (cell.OwnDetections is { } own)
                {
                    if (!ownEvaluations.TryGetValue(cell.DetectionsSha256, out evaluation))
                    {
                        var ownBoxes = ToBoxes(own);
                        evaluation = Evaluate(m, i => ownBoxes[i], null, parallel: true);
                        ownEvaluations[cell.DetectionsSha256] = evaluation;
                    }
                    sha = cell.DetectionsSha256;
                    detections = own;
                }
                var ok = cell.IsOk();
                var row = new SweepRow
                {
                    Configuration = label,
                    Family = configs[c].Name,
                    Parameters = ParametersOf(configs[c]),
                    Backend = m.Backends[b],
                    Device = m.Devices[b],
                    Status = cell.Status,
                    Reason = cell.Reason,
                    Ap = ok ? ApOf(evaluation) : null,
                    Latency = ok ? LatencyStats.From(cell.PerImageMedians) : null,
                    Detections = ok ? detections.Sum(d => (long)(d.Length / 5)) : 0,
                    DetectionsSha256 = ok ? sha : "",
                };
                rows.Add(row);
                resultRows.Add(new ResultRow
                {
                    Variant = label,
                    VariantSpec = label,
                    Backend = row.Backend,
                    Device = row.Device,
                    Status = row.Status,
                    Reason = row.Reason,
                    Ap = row.Ap,
                    Faces = ok ? new PerSetting<int>(evaluation[Setting.Easy].Faces, evaluation[Setting.Medium].Faces, evaluation[Setting.Hard].Faces) : null,
                    Latency = row.Latency,
                    Stages = ok ? new StageLatencies { PostProcess = row.Latency!.Value.Median } : StageLatencies.None,
                    Detections = ok ? row.Detections : null,
                    DetectionsSha256 = ok ? sha : null,
                });
                if (ok)
                {
                    var imageNames = new string[cell.Samples.Length];
                    var reps = cell.Samples.Length / imageCount;
                    for (var i = 0; i < imageNames.Length; i++) imageNames[i] = m.Images[i / reps].ImageKey;
                    series.Add(new LatencySeries(label, m.Backends[b], imageNames, cell.Samples));
                }
            }
        }

        // Pareto per backend on hard AP.
        var pareto = new List<ParetoEntry>();
        for (var b = 0; b < m.Backends.Count; b++)
        {
            var indices = new List<int>();
            var points = new List<ParetoPoint>();
            for (var r = 0; r < rows.Count; r++)
            {
                if (rows[r].Backend != m.Backends[b] || !rows[r].IsOk) continue;
                indices.Add(r);
                points.Add(new ParetoPoint(rows[r].Latency!.Value.Median, rows[r].Ap!.Value.Hard));
            }
            var order = 0;
            foreach (var k in ParetoFrontier.FrontierInOrder(points))
            {
                var r = indices[k];
                rows[r] = rows[r] with { OnFrontier = true };
                pareto.Add(new ParetoEntry(m.Backends[b], ++order, rows[r].Configuration, rows[r].Family, rows[r].Latency!.Value.Median, rows[r].Ap!.Value));
            }
        }

        // Untuned: each family's default configuration against nms's default, as a plain run does.
        var untuned = new List<ClaimVerdict>();
        var nmsDefault = IndexOf(configs, VariantSpec.Default(VariantKind.Nms));
        if (nmsDefault >= 0)
        {
            foreach (var kind in families.Where(k => k.IsGradientClipping()))
            {
                var c = IndexOf(configs, VariantSpec.Default(kind));
                if (c < 0) continue;
                var label = configs[c].ToString();
                var delta = DeltaAp(full[c].Records, full[nmsDefault].Records, context.Bootstrap);
                untuned.Add(Verdicts.Accuracy(label + " (untuned)", AsDictionary(delta)));
                for (var b = 0; b < m.Backends.Count; b++)
                {
                    var cell = m.Cells[b][c];
                    var baseCell = m.Cells[b][nmsDefault];
                    Interval? ratio = cell.IsOk() && baseCell.IsOk() ? Bootstrap.MedianRatio(cell.PerImageMedians, baseCell.PerImageMedians, context.Bootstrap) : null;
                    untuned.Add(cell.IsOk()
                        ? Verdicts.Speed(label + " (untuned)", m.Backends[b], ratio)
                        : new ClaimVerdict(label + " (untuned)", Claim.ImprovesSpeed, m.Backends[b], VerdictOutcome.NotApplicable, $"{cell.Status.Id()}: {cell.Reason}"));
                    var index = (b * configs.Count) + c;
                    resultRows[index] = resultRows[index] with { DeltaAp = delta, SpeedRatio = ratio };
                }
            }
        }

        var foldInfos = new List<FoldInfo>();
        for (var f = 0; f < folds; f++)
        {
            var events = members[f].Select(i => m.Images[i].Event).Distinct().Order(StringComparer.Ordinal).ToList();
            foldInfos.Add(new FoldInfo(f + 1, members[f].Length, context.FoldRule == FoldRules.ByEvent ? events : []));
        }

        var isSubset = m.GroundTruth.IsSubset;
        var run = new RunResults
        {
            Suite = context.SuiteName,
            Detector = context.Detector,
            Dataset = $"{context.Dataset}, {(isSubset ? "subset of " : "")}{imageCount} images",
            IsSubset = isSubset,
            Environment = context.Environment,
            SuiteJson = context.SuiteJson,
            BaselineVariant = nmsDefault >= 0 ? configs[nmsDefault].ToString() : RunResults.DefaultBaselineVariant,
            ReferenceBackend = m.Backends[Math.Max(0, tuningBackend)],
            Rows = resultRows,
            LatencySamples = series,
            Verdicts = [.. tunedVerdicts, .. untuned],
        };
        return new SweepResults
        {
            Run = run,
            Objective = context.Tuning.Objective,
            FoldRule = context.FoldRule,
            Folds = foldInfos,
            Rows = rows,
            Tuning = tuningRows,
            Tuned = tuned,
            TunedVerdicts = tunedVerdicts,
            UntunedVerdicts = untuned,
            Pareto = pareto,
            Axes = FamilyAxesOf(context.Grids),
            AccuracyBackend = m.AccuracyBackend,
            TuningBackend = tuningBackend < 0 ? "" : m.Backends[tuningBackend],
            ImageCount = imageCount,
            AccuracyPass = m.AccuracyPass,
            LatencyPass = m.LatencyPass,
            Analysis = clock.Elapsed,
        };
    }

    private static void AddMatchedAccuracy(SweepContext context, SweepMeasurements m, IReadOnlyList<VariantSpec> configs, PredBox[][][] boxes,
        PerSetting<double>[,] onTuning, Func<int, int, double> tuneMs, int[] nmsPicks, EvaluationResult nmsTuned, double[]?[] nmsMedians,
        List<TuningPick> tuningRows, List<ClaimVerdict> verdicts, int[][] members)
    {
        var gc = Enumerable.Range(0, configs.Count).Where(c => configs[c].Kind.IsGradientClipping()).ToArray();
        if (gc.Length == 0) return;
        var folds = context.Tuning.Folds;
        var local = MatchedAccuracy.PickPerFold(gc.Length, folds,
            (j, f) => new TuningCandidate(configs[gc[j]].ToString(), onTuning[gc[j], f].Hard, tuneMs(gc[j], f)),
            f => onTuning[nmsPicks[f], f].Hard);
        var picks = local.Select(j => j < 0 ? -1 : gc[j]).ToArray();
        for (var f = 0; f < folds; f++)
        {
            var p = picks[f];
            tuningRows.Add(new TuningPick
            {
                Family = SweepResults.MatchedFamily,
                Fold = f + 1,
                HeldOutImages = members[f].Length,
                Pick = p < 0 ? null : configs[p].ToString(),
                TuneObjective = p < 0 ? double.NaN : tuneMs(p, f),
                TuneMedianMs = p < 0 ? double.NaN : tuneMs(p, f),
                TuneAp = p < 0 ? null : onTuning[p, f],
            });
        }
        var nmsHard = nmsTuned[Setting.Hard].Ap;
        if (picks.Any(p => p < 0))
        {
            // Accuracy does not depend on the backend: one verdict says no configuration matches.
            var detail = string.Join("; ", Enumerable.Range(0, folds).Select(f => FormattableString.Invariant(
                $"fold {f + 1}'s tuning images: best gradient-clipping hard AP {gc.Max(c => onTuning[c, f].Hard):0.0000} vs tuned nms {onTuning[nmsPicks[f], f].Hard:0.0000}")));
            verdicts.Add(MatchedAccuracy.Verdict(SweepResults.MatchedFamily, Verdicts.AllBackends, nmsHard, null, null, detail: detail));
            return;
        }
        var perImage = CrossFitting.ConfigurationPerImage(context.FoldOfImage, picks);
        var evaluation = Evaluate(m, i => boxes[perImage[i]][i], null, parallel: true);
        var medians = AssembleMedians(m, perImage);
        for (var b = 0; b < m.Backends.Count; b++)
        {
            Interval? ratio = medians[b] is { } mine && nmsMedians[b] is { } nms ? Bootstrap.MedianRatio(mine, nms, context.Bootstrap) : null;
            verdicts.Add(UnavailableReason(m, b) is { } reason
                ? new ClaimVerdict(SweepResults.MatchedFamily, Claim.ImprovesSpeedAtMatchedAccuracy, m.Backends[b], VerdictOutcome.NotApplicable, reason)
                : MatchedAccuracy.Verdict(SweepResults.MatchedFamily, m.Backends[b], nmsHard, evaluation[Setting.Hard].Ap, ratio));
        }
    }

    /// <summary>Why a backend ran nothing (absent device), or null when it ran something.</summary>
    private static string? UnavailableReason(SweepMeasurements m, int backend)
    {
        var cells = m.Cells[backend];
        if (cells.Any(c => c.Status != RowStatus.NotApplicable)) return null;
        return cells.Length == 0 ? "not run" : $"n/a: {cells[0].Reason}";
    }

    /// <summary>Per backend, each image's median under its configuration (null when some configuration did not run there).</summary>
    private static double[]?[] AssembleMedians(SweepMeasurements m, int[] configurationOfImage)
    {
        var result = new double[]?[m.Backends.Count];
        for (var b = 0; b < m.Backends.Count; b++)
        {
            var medians = new double[configurationOfImage.Length];
            var ok = true;
            for (var i = 0; i < medians.Length && ok; i++)
            {
                var cell = m.Cells[b][configurationOfImage[i]];
                ok = cell.IsOk();
                if (ok) medians[i] = cell.PerImageMedians[i];
            }
            result[b] = ok ? medians : null;
        }
        return result;
    }

    private static PerSetting<Interval> DeltaAp(ImageEvalRecords a, ImageEvalRecords b, BootstrapOptions options)
    {
        Interval Delta(Setting s) => Bootstrap.PairedDifference(a.ImageCount, w => a.ApWithWeights(s, w), w => b.ApWithWeights(s, w), options);
        return new PerSetting<Interval>(Delta(Setting.Easy), Delta(Setting.Medium), Delta(Setting.Hard));
    }

    private static Dictionary<Setting, Interval> AsDictionary(PerSetting<Interval> d) =>
        new() { [Setting.Easy] = d.Easy, [Setting.Medium] = d.Medium, [Setting.Hard] = d.Hard };

    private static int IndexOf(IReadOnlyList<VariantSpec> configs, VariantSpec spec)
    {
        for (var c = 0; c < configs.Count; c++)
        {
            if (configs[c] == spec) return c;
        }
        return -1;
    }

    private static double MedianOver(double[] perImage, int[] images)
    {
        var values = new double[images.Length];
        for (var i = 0; i < values.Length; i++) values[i] = perImage[images[i]];
        return Percentiles.Median(values);
    }

    private static PerSetting<double> ApOf(EvaluationResult e) => new(e[Setting.Easy].Ap, e[Setting.Medium].Ap, e[Setting.Hard].Ap);

    private static PredBox[][] ToBoxes(float[][] packed)
    {
        var result = new PredBox[packed.Length][];
        for (var i = 0; i < packed.Length; i++)
        {
            var d = packed[i];
            var image = new PredBox[d.Length / 5];
            for (var k = 0; k < image.Length; k++)
            {
                var o = k * 5;
                image[k] = PredictionFormat.ToPredBox(d[o], d[o + 1], d[o + 2], d[o + 3], d[o + 4]);
            }
            result[i] = image;
        }
        return result;
    }

    /// <summary>Evaluates the given images (all when null) with the predictions <paramref name="boxesOf"/> gives each.</summary>
    private static EvaluationResult Evaluate(SweepMeasurements m, Func<int, PredBox[]> boxesOf, int[]? images, bool parallel = false)
    {
        var gtImages = new List<GroundTruthImage>(images?.Length ?? m.Images.Count);
        var predictions = new PredictionSet { Source = "in-memory" };
        var count = images?.Length ?? m.Images.Count;
        for (var n = 0; n < count; n++)
        {
            var i = images is null ? n : images[n];
            gtImages.Add(m.GroundTruth.Images[i]);
            predictions.Set(new ImagePredictions { Event = m.Images[i].Event, ImageKey = m.Images[i].ImageKey, Boxes = boxesOf(i) });
        }
        var gt = new GroundTruth { Images = gtImages, Source = m.GroundTruth.Source, IsSubset = m.GroundTruth.IsSubset || images is not null };
        return WiderFaceEvaluator.Evaluate(gt, predictions, parallel ? EvalOptions.Default : SingleThreaded);
    }

    /// <summary>The parameters a configuration prints, by key (the sweep.csv columns).</summary>
    public static IReadOnlyDictionary<string, string> ParametersOf(VariantSpec spec)
    {
        var text = spec.ToString();
        var body = text[(text.IndexOf('(', StringComparison.Ordinal) + 1)..^1];
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in body.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            result[pair[..eq]] = pair[(eq + 1)..];
        }
        return result;
    }

    /// <summary>Each family's listed parameters, from its first grid that lists any (written order).</summary>
    private static List<FamilyAxes> FamilyAxesOf(IReadOnlyList<VariantGrid> grids)
    {
        var result = new List<FamilyAxes>();
        foreach (var grid in grids)
        {
            if (grid.Axes.Count == 0 || result.Any(a => a.Family == grid.Family)) continue;
            result.Add(new FamilyAxes(grid.Family, grid.Axes));
        }
        return result;
    }

    private static bool IsOk(this SweepCell cell) => cell.Status == RowStatus.Ok;
}

/// <summary>How images were split into folds.</summary>
internal static class FoldRules
{
    public const string ByEvent = "by event";
    public const string ByImage = "by image";
}
