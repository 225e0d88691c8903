using System.CommandLine;
using System.Globalization;
using EvalHarness.Backends.Gpu;
using EvalHarness.Cli.Interaction;
using EvalHarness.IO;
using EvalHarness.Jobs;
using EvalHarness.PostProcessing;

namespace EvalHarness.Cli;

/// <summary>
/// <c>gpu-check [--accelerator gpu|cpu] [--out DIR] [--sizes 1000,4000] [--batches 1,16] [--variants "nms;gc+nms"]</c>:
/// GPU == scalar on synthetic maps, then kernel-only and end-to-end timings (median, p90) into DIR/gpu-check.csv.
/// </summary>
internal sealed class GpuCheckVerb(CliOutput output) : Verb(output)
{
    private readonly Option<string> _accelerator = VerbOptions.WithDefault("--accelerator", "Accelerator: gpu (CUDA, else OpenCL) or cpu (ILGPU's CPU simulator: equality self-test at small sizes, no timings)", "gpu");
    private readonly Option<string?> _out = VerbOptions.Optional<string?>("--out", "Folder for gpu-check.csv, gpu-check-device.txt and gpu-check-mismatches.txt");
    private readonly Option<string?> _sizes = VerbOptions.Optional<string?>("--sizes", "Candidates per image, comma-separated (default: 1000,4000,16000,64000,256000; cpu: 500)");
    private readonly Option<string?> _batches = VerbOptions.Optional<string?>("--batches", "Images per batch, comma-separated (default: 1,16,256; cpu: 1,3)");
    private readonly Option<string?> _variants = VerbOptions.Optional<string?>("--variants", "Variants separated by ';' (default: every variant with the spec's defaults)");
    private readonly Option<int> _warmup = VerbOptions.WithDefault("--warmup", "Untimed runs before timing", 3);
    private readonly Option<int> _repeats = VerbOptions.WithDefault("--repeats", "Timed runs (median and p90 are reported)", 15);
    private readonly Option<long> _maxChecked = VerbOptions.WithDefault("--max-checked", "Largest batch (total candidates) checked against the scalar oracle", 4_200_000L);
    private readonly Option<long> _maxBatch = VerbOptions.WithDefault("--max-batch-candidates", "Skip batches with more candidates than this", 16_800_000L);
    private readonly Option<bool> _requireGpu = VerbOptions.Optional<bool>("--require-gpu", "Fail (exit 2) when no device is found, instead of reporting n/a and passing");

    public override Command Create() => Command("gpu-check", "Check the GPU backend against the scalar oracle on synthetic maps and time it",
        [_accelerator, _out, _sizes, _batches, _variants, _warmup, _repeats, _maxChecked, _maxBatch, _requireGpu], Execute);

    private int Execute(ParseResult parse, CancellationToken cancellationToken)
    {
        var accelerator = parse.GetValue(_accelerator)!;
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
            OutputDirectory = parse.GetValue(_out),
            Sizes = ParseInts(parse.GetValue(_sizes), "--sizes") ?? (simulator ? [500] : new GpuCheckOptions().Sizes),
            Batches = ParseInts(parse.GetValue(_batches), "--batches") ?? (simulator ? [1, 3] : new GpuCheckOptions().Batches),
            Variants = ParseVariants(parse.GetValue(_variants)) ?? VariantRegistry.Defaults(),
            Warmup = parse.GetValue(_warmup),
            Repeats = parse.GetValue(_repeats),
            MaxCheckedCandidatesPerBatch = parse.GetValue(_maxChecked),
            MaxCandidatesPerBatch = parse.GetValue(_maxBatch),
        };
        var rows = GpuCheck.Run(options, Output.Out);
        if (rows is null)
        {
            // n/a: no device is not an error, unless the caller (a GPU CI job) needs one to pass
            if (parse.GetValue(_requireGpu)) throw new UsageException($"--require-gpu: no {accelerator} device could be opened (see the n/a line above)");
            return ExitCodes.Success;
        }
        var failed = 0;
        foreach (var row in rows) if (row.Check == "FAIL") failed++;
        Output.Line(failed == 0 ? $"gpu-check: all {rows.Count} checks pass or skipped" : $"gpu-check: {failed} of {rows.Count} configurations differ from the scalar oracle");
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
