using EvalHarness.Datasets;
using EvalHarness.Metrics.Statistics;
using EvalHarness.Reporting;

namespace EvalHarness.Tests.Reporting;

/// <summary>Small, deterministic runs for exporter and compare tests (not measurements of anything).</summary>
internal static class FakeRuns
{
    public static readonly string[] Variants = ["nms", "soft-nms-linear", "gc", "gc+nms"];
    public static readonly string[] Backends = ["scalar", "simd"];
    public const int Images = 40;

    /// <summary>The reason a run gives for every GPU cell when the machine has no device.</summary>
    public const string NoGpuDevice = "no CUDA/OpenCL device";

    /// <summary>
    /// A run whose per-image latencies are <c>base · factor(variant, backend) · slowdown(variant)</c>
    /// with seeded jitter; <paramref name="machineFactor"/> scales everything (a slower machine).
    /// </summary>
    public static RunResults Create(
        string suite = "quick",
        ulong seed = 1,
        double machineFactor = 1.0,
        IReadOnlyDictionary<string, double>? slowdown = null,
        IReadOnlyDictionary<string, double>? apShift = null,
        bool withGpu = false,
        bool gpuNotApplicable = false)
    {
        var rng = new SplitMix64(seed);
        var backends = withGpu ? [.. Backends, "gpu"] : Backends;
        var rows = new List<ResultRow>();
        var samples = new List<LatencySeries>();
        var curves = new List<PrCurve>();
        var images = Enumerable.Range(0, Images).Select(i => $"img_{i:D3}").ToArray();
        for (var v = 0; v < Variants.Length; v++)
        {
            var variant = Variants[v];
            var shift = apShift is not null && apShift.TryGetValue(variant, out var sh) ? sh : 0.0;
            var ap = new PerSetting<double>(0.90 - 0.01 * v + shift, 0.85 - 0.01 * v + shift, 0.60 + 0.02 * v + shift);
            foreach (var backend in backends)
            {
                // Every variant has a GPU kernel; what a real run marks n/a is a GPU backend on a machine without a device.
                if (backend == "gpu" && gpuNotApplicable)
                {
                    rows.Add(new ResultRow { Variant = variant, Backend = backend, Status = RowStatus.NotApplicable, Reason = NoGpuDevice });
                    continue;
                }
                var factor = (backend switch { "scalar" => 1.0, "simd" => 0.4, _ => 0.2 }) * (1 + v) * machineFactor
                    * (slowdown is not null && slowdown.TryGetValue(variant, out var sd) ? sd : 1.0);
                var ms = new double[images.Length];
                for (var i = 0; i < ms.Length; i++) ms[i] = factor * (1.0 + 0.3 * (i % 7) / 7.0) * (1 + 0.1 * rng.NextDouble());
                samples.Add(new LatencySeries(variant, backend, images, ms));
                rows.Add(new ResultRow
                {
                    Variant = variant,
                    VariantSpec = variant + "(score=0.02)",
                    Backend = backend,
                    Device = backend == "simd" ? "AVX2 (Vector256)" : backend,
                    Ap = ap,
                    ApInterval = new PerSetting<Interval>(new(ap.Easy, ap.Easy - 0.01, ap.Easy + 0.01), new(ap.Medium, ap.Medium - 0.012, ap.Medium + 0.01), new(ap.Hard, ap.Hard - 0.02, ap.Hard + 0.015)),
                    Faces = new PerSetting<int>(120, 230, 540),
                    DeltaAp = variant == "nms" ? null : new PerSetting<Interval>(new(-0.01 * v, -0.01 * v - 0.01, -0.01 * v + 0.005), new(-0.01 * v, -0.01 * v - 0.01, -0.01 * v + 0.005), new(0.02 * v, 0.02 * v - 0.01, 0.02 * v + 0.01)),
                    Latency = LatencyStats.From(ms),
                    SpeedRatio = variant == "nms" ? null : new Interval(1 + v, 0.9 + v, 1.1 + v),
                    Stages = new StageLatencies { Decode = 3.5, Inference = 12.25, DenseDecode = 0.8, PostProcess = Percentiles.Median(ms), GpuTransfer = backend == "gpu" ? 0.05 : null, GpuKernel = backend == "gpu" ? 0.01 : null },
                    Detections = 1000 + v,
                    DetectionsSha256 = new string((char)('a' + v), 64),
                });
            }
            foreach (var setting in SettingExtensions.All)
            {
                var recall = new double[50];
                var precision = new double[50];
                var thresholds = new double[50];
                for (var k = 0; k < 50; k++)
                {
                    thresholds[k] = 1 - (k + 1) / 50.0;
                    recall[k] = ap[setting] * (k + 1) / 50.0;
                    precision[k] = 1 - 0.5 * Math.Pow((k + 1) / 50.0, 2 + v);
                }
                curves.Add(new PrCurve(variant, "scalar", setting, thresholds, precision, recall));
            }
        }
        var scaling = new List<ScalingPoint>();
        foreach (var n in new[] { 100, 300, 1000, 3000, 10000, 30000, 100000 })
        {
            scaling.Add(new ScalingPoint("nms", "simd", n, 0.0004 * n * Math.Log(n)));
            scaling.Add(new ScalingPoint("nms", "gpu", n, 0.5 + 0.00002 * n));
            scaling.Add(new ScalingPoint("gc", "simd", n, 0.00005 * n + 0.01));
        }
        var verdicts = new List<ClaimVerdict>();
        foreach (var row in rows.Where(r => r.DeltaAp is not null && r.Backend == "scalar" && r.Variant.StartsWith("gc", StringComparison.Ordinal)))
        {
            verdicts.Add(Verdicts.Accuracy(row.Variant, new Dictionary<Setting, Interval> { [Setting.Easy] = row.DeltaAp!.Value.Easy, [Setting.Medium] = row.DeltaAp.Value.Medium, [Setting.Hard] = row.DeltaAp.Value.Hard }));
        }
        foreach (var row in rows.Where(r => r.SpeedRatio is not null && r.Variant.StartsWith("gc", StringComparison.Ordinal)))
        {
            verdicts.Add(Verdicts.Speed(row.Variant, row.Backend, row.SpeedRatio));
        }
        return new RunResults
        {
            Suite = suite,
            Detector = RunResults.SyntheticDetector,
            Dataset = "synthetic (seed 1, 40 images)",
            Environment = new EnvironmentInfo { CpuModel = "Test CPU", LogicalCores = 2, SimdWidthBits = 256, DotNetVersion = ".NET 10", OnnxRuntimeVersion = "1.31.1", GitCommit = new string('0', 40) },
            SuiteJson = "{ \"name\": \"" + suite + "\" }",
            Rows = rows,
            PrCurves = curves,
            LatencySamples = samples,
            Scaling = scaling,
            Verdicts = verdicts,
        };
    }

    public static string TempFolder()
    {
        var dir = Path.Combine(Path.GetTempPath(), "evalharness-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
