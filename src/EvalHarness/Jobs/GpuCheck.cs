using System.Diagnostics;
using System.Globalization;
using System.Text;
using EvalHarness.Backends.Gpu;
using EvalHarness.Backends;
using EvalHarness.IO;
using EvalHarness.PostProcessing;

namespace EvalHarness.Jobs;

/// <summary>What <see cref="GpuCheck"/> runs.</summary>
public sealed record GpuCheckOptions
{
    public GpuAcceleratorKind Accelerator { get; init; } = GpuAcceleratorKind.Gpu;

    /// <summary>Candidates per synthetic image.</summary>
    public IReadOnlyList<int> Sizes { get; init; } = [1_000, 4_000, 16_000, 64_000, 256_000];

    /// <summary>Images per batch.</summary>
    public IReadOnlyList<int> Batches { get; init; } = [1, 16, 256];

    public IReadOnlyList<VariantSpec> Variants { get; init; } = VariantRegistry.Defaults();

    /// <summary>The scalar oracle runs on at most this many candidates per batch (it is the slow part).</summary>
    public long MaxCheckedCandidatesPerBatch { get; init; } = 4_200_000;

    /// <summary>Batches above this many candidates are skipped altogether (host memory and run time).</summary>
    public long MaxCandidatesPerBatch { get; init; } = 16_800_000;

    public int Warmup { get; init; } = 3;
    public int Repeats { get; init; } = 15;

    /// <summary>Directory for gpu-check.csv (results) and gpu-check-mismatches.txt; null writes nothing.</summary>
    public string? OutputDirectory { get; init; }

    public int Seed { get; init; } = 20241;
}

/// <summary>One row of gpu-check.csv.</summary>
public sealed record GpuCheckRow(
    string Variant, int Candidates, int Batch, string Check, int Mismatches,
    double E2eMedianMs, double E2eP90Ms, double KernelMedianMs, double KernelP90Ms,
    double UploadMedianMs, double DownloadMedianMs, double ScalarMsPerImage);

/// <summary>
/// The device self-check behind <c>evalharness gpu-check</c>: on synthetic BlazeFace-like maps it
/// verifies GPU == scalar (the spec's equivalence rule) for every variant, size and batch size,
/// then times the GPU kernels alone and end to end (with transfers), with warm-up, median and
/// p90. Without a CUDA/OpenCL device it reports "n/a" and does nothing else.
/// </summary>
public static class GpuCheck
{
    public const string Header = "variant,candidates,batch,check,mismatches,e2e_median_ms,e2e_p90_ms,kernel_median_ms,kernel_p90_ms,upload_median_ms,download_median_ms,scalar_ms_per_image";

    /// <summary>Runs the check; <paramref name="log"/> gets one line per configuration. Returns the rows, or null when no device (n/a).</summary>
    public static IReadOnlyList<GpuCheckRow>? Run(GpuCheckOptions options, TextWriter log)
    {
        using var gpu = GpuBackend.TryCreate(options.Accelerator, out var reason);
        if (gpu is null)
        {
            log.WriteLine($"gpu: n/a ({reason})");
            return null;
        }
        log.WriteLine($"gpu: {gpu.Device}");
        if (gpu.IsSimulator) log.WriteLine("note: CPU simulator - equality checks only mean something here; its timings are not GPU numbers");

        var rows = new List<GpuCheckRow>();
        var mismatchReport = new StringBuilder();
        using var scalar = new ScalarBackend();
        foreach (var size in options.Sizes)
        {
            var maxBatch = 0;
            foreach (var b in options.Batches)
            {
                if ((long)size * b <= options.MaxCandidatesPerBatch) maxBatch = Math.Max(maxBatch, b);
            }
            var maps = new CandidateMap[maxBatch];
            for (var i = 0; i < maxBatch; i++) maps[i] = EvalHarness.Detectors.Synthetic.SyntheticCandidateSource.MapWithAbout(size, options.Seed + i);
            foreach (var batch in options.Batches)
            {
                if (batch > maxBatch)
                {
                    log.WriteLine($"skip n={size} batch={batch}: more than {options.MaxCandidatesPerBatch} candidates per batch");
                    continue;
                }
                var batchMaps = new ArraySegment<CandidateMap>(maps, 0, batch);
                var outputs = new DetectionList[batch];
                for (var i = 0; i < batch; i++) outputs[i] = new DetectionList();
                foreach (var variant in options.Variants)
                {
                    var row = RunOne(gpu, scalar, variant, batchMaps, outputs, options, mismatchReport);
                    rows.Add(row);
                    var timing = double.IsNaN(row.E2eMedianMs)
                        ? ""
                        : string.Create(CultureInfo.InvariantCulture, $" e2e={row.E2eMedianMs:0.000} ms (p90 {row.E2eP90Ms:0.000}) kernel={row.KernelMedianMs:0.000} ms (p90 {row.KernelP90Ms:0.000})");
                    log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{row.Variant} n={row.Candidates} batch={row.Batch} check={row.Check}{timing} scalar/img={row.ScalarMsPerImage:0.000} ms"));
                }
            }
        }

        if (options.OutputDirectory is { } dir)
        {
            Directory.CreateDirectory(dir);
            var csv = new StringBuilder(Header).Append('\n');
            foreach (var r in rows)
            {
                csv.Append(string.Create(CultureInfo.InvariantCulture,
                    $"\"{r.Variant}\",{r.Candidates},{r.Batch},{r.Check},{r.Mismatches},{r.E2eMedianMs:0.####},{r.E2eP90Ms:0.####},{r.KernelMedianMs:0.####},{r.KernelP90Ms:0.####},{r.UploadMedianMs:0.####},{r.DownloadMedianMs:0.####},{r.ScalarMsPerImage:0.####}\n"));
            }
            AtomicFile.WriteAllText(Path.Combine(dir, "gpu-check.csv"), csv.ToString());
            AtomicFile.WriteAllText(Path.Combine(dir, "gpu-check-device.txt"), gpu.Device + "\n");
            if (mismatchReport.Length > 0) AtomicFile.WriteAllText(Path.Combine(dir, "gpu-check-mismatches.txt"), mismatchReport.ToString());
        }
        return rows;
    }

    private static GpuCheckRow RunOne(
        GpuBackend gpu, ScalarBackend scalar, VariantSpec variant, IReadOnlyList<CandidateMap> maps, DetectionList[] outputs,
        GpuCheckOptions options, StringBuilder mismatchReport)
    {
        var size = maps[0].Count;
        var batch = maps.Count;

        // Equality first (one run), against the oracle where its cost is bounded.
        gpu.MeasureStages = false;
        gpu.RunBatch(maps, variant, outputs);
        var check = "skip";
        var mismatches = 0;
        var scalarMs = double.NaN;
        if ((long)size * batch <= options.MaxCheckedCandidatesPerBatch)
        {
            var expected = new DetectionList();
            var sw = new Stopwatch();
            for (var i = 0; i < batch; i++)
            {
                sw.Start();
                scalar.Run(maps[i], variant, expected);
                sw.Stop();
                var problem = DetectionEquivalence.Compare(variant, expected, outputs[i]);
                if (problem is null) continue;
                mismatches++;
                if (mismatches <= 3) mismatchReport.Append(CultureInfo.InvariantCulture, $"{variant} n={size} batch={batch} image {i}: {problem}\n");
            }
            scalarMs = sw.Elapsed.TotalMilliseconds / batch;
            check = mismatches == 0 ? "pass" : "FAIL";
        }

        if (gpu.IsSimulator || options.Repeats <= 0)
        {
            return new GpuCheckRow(variant.ToString(), size, batch, check, mismatches, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, scalarMs);
        }

        // End to end: upload + kernels + download + filling the outputs, as a run would see it.
        var e2e = new double[options.Repeats];
        for (var i = 0; i < options.Warmup; i++) gpu.RunBatch(maps, variant, outputs);
        for (var i = 0; i < options.Repeats; i++)
        {
            var t = Stopwatch.GetTimestamp();
            gpu.RunBatch(maps, variant, outputs);
            e2e[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        }

        // Stage times: the backend synchronises between stages, so these runs are separate.
        var kernel = new double[options.Repeats];
        var upload = new double[options.Repeats];
        var download = new double[options.Repeats];
        gpu.MeasureStages = true;
        for (var i = 0; i < options.Repeats; i++)
        {
            gpu.RunBatch(maps, variant, outputs);
            kernel[i] = gpu.LastTimings.KernelMs;
            upload[i] = gpu.LastTimings.UploadMs;
            download[i] = gpu.LastTimings.DownloadMs;
        }
        gpu.MeasureStages = false;
        return new GpuCheckRow(variant.ToString(), size, batch, check, mismatches,
            Percentile(e2e, 0.5), Percentile(e2e, 0.9), Percentile(kernel, 0.5), Percentile(kernel, 0.9),
            Percentile(upload, 0.5), Percentile(download, 0.5), scalarMs);
    }

    private static double Percentile(double[] values, double p)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        var rank = (int)Math.Ceiling(p * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
