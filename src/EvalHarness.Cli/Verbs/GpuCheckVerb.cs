using System.CommandLine;
using System.Globalization;
using EvalHarness.Backends.Gpu;
using EvalHarness.IO;
using EvalHarness.Jobs;
using EvalHarness.PostProcessing;

namespace EvalHarness.Cli;

/// <summary>
/// <c>gpu-check [--accelerator gpu|cpu] [--out DIR] [--sizes 1000,4000] [--batches 1,16] [--variants "nms;gc+nms"]</c>:
/// GPU == scalar on synthetic maps, then kernel-only and end-to-end timings (median, p90) into DIR/gpu-check.csv.
/// </summary>
internal static class GpuCheckVerb
{
    public static Command Create()
    {
        var accelerator = new Option<string>("--accelerator") { Description = "gpu (CUDA, else OpenCL) | cpu (ILGPU's CPU simulator: equality self-test at small sizes, no timings)", DefaultValueFactory = _ => "gpu" };
        var output = new Option<string?>("--out") { Description = "directory for gpu-check.csv, gpu-check-device.txt and gpu-check-mismatches.txt" };
        var sizes = new Option<string?>("--sizes") { Description = "candidates per image, comma-separated (default 1000,4000,16000,64000,256000; cpu: 500)" };
        var batches = new Option<string?>("--batches") { Description = "images per batch, comma-separated (default 1,16,256; cpu: 1,3)" };
        var variants = new Option<string?>("--variants") { Description = "variants separated by ';' (default: every variant with the spec's defaults)" };
        var warmup = new Option<int>("--warmup") { Description = "untimed runs before timing", DefaultValueFactory = _ => 3 };
        var repeats = new Option<int>("--repeats") { Description = "timed runs (median and p90 are reported)", DefaultValueFactory = _ => 15 };
        var maxChecked = new Option<long>("--max-checked") { Description = "largest batch (total candidates) checked against the scalar oracle", DefaultValueFactory = _ => 4_200_000 };
        var maxBatch = new Option<long>("--max-batch-candidates") { Description = "skip batches with more candidates than this", DefaultValueFactory = _ => 16_800_000 };
        var requireGpu = new Option<bool>("--require-gpu") { Description = "fail (exit 2) when no device is found, instead of reporting n/a and passing" };

        var command = new Command("gpu-check", "Check the GPU backend against the scalar oracle on synthetic maps and time it");
        foreach (var option in new Option[] { accelerator, output, sizes, batches, variants, warmup, repeats, maxChecked, maxBatch, requireGpu }) command.Options.Add(option);
        command.SetAction(parse => Execute(
            parse.GetValue(accelerator)!, parse.GetValue(output), parse.GetValue(sizes), parse.GetValue(batches), parse.GetValue(variants),
            parse.GetValue(warmup), parse.GetValue(repeats), parse.GetValue(maxChecked), parse.GetValue(maxBatch), parse.GetValue(requireGpu), parse.InvocationConfiguration.Output));
        return command;
    }

    private static int Execute(string accelerator, string? outDir, string? sizes, string? batches, string? variants,
                               int warmup, int repeats, long maxChecked, long maxBatch, bool requireGpu, TextWriter stdout)
    {
        var kind = accelerator.ToLowerInvariant() switch
        {
            "gpu" => GpuAcceleratorKind.Gpu,
            "cpu" => GpuAcceleratorKind.CpuSimulator,
            _ => throw new UsageException($"unknown accelerator '{accelerator}'; known: gpu, cpu"),
        };
        var simulator = kind == GpuAcceleratorKind.CpuSimulator;
        var options = new GpuCheckOptions
        {
            Accelerator = kind,
            OutputDirectory = outDir,
            Sizes = ParseInts(sizes, "--sizes") ?? (simulator ? [500] : new GpuCheckOptions().Sizes),
            Batches = ParseInts(batches, "--batches") ?? (simulator ? [1, 3] : new GpuCheckOptions().Batches),
            Variants = ParseVariants(variants) ?? VariantRegistry.Defaults(),
            Warmup = warmup,
            Repeats = repeats,
            MaxCheckedCandidatesPerBatch = maxChecked,
            MaxCandidatesPerBatch = maxBatch,
        };
        var rows = GpuCheck.Run(options, stdout);
        if (rows is null)
        {
            // n/a: no device is not an error, unless the caller (a GPU CI job) needs one to pass
            if (requireGpu) throw new UsageException($"--require-gpu: no {accelerator} device could be opened (see the n/a line above)");
            return ExitCodes.Success;
        }
        var failed = 0;
        foreach (var row in rows) if (row.Check == "FAIL") failed++;
        stdout.WriteLine(failed == 0 ? $"gpu-check: all {rows.Count} checks pass or skipped" : $"gpu-check: {failed} of {rows.Count} configurations differ from the scalar oracle");
        return failed == 0 ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static int[]? ParseInts(string? text, string option)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var values = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out values[i]) || values[i] <= 0)
                throw new UsageException($"{option}: '{parts[i]}' is not a positive integer");
        }
        return values;
    }

    private static VariantSpec[]? ParseVariants(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var parts = text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var specs = new VariantSpec[parts.Length];
        for (var i = 0; i < parts.Length; i++) specs[i] = VariantSpec.Parse(parts[i]);
        return specs;
    }
}
