using System.CommandLine;
using System.Globalization;
using EvalHarness.Backends;
using EvalHarness.Cli.Interaction;
using EvalHarness.IO;
using EvalHarness.Jobs;
using EvalHarness.PostProcessing;

namespace EvalHarness.Cli;

/// <summary><c>postprocess --input FILE.csv --variant V --backend scalar|simd [--repeat R] [--out FILE]</c>: one NMS-family variant on a flat CSV list, timed.</summary>
internal sealed class PostprocessVerb(CliOutput output) : Verb(output)
{
    private readonly Option<string> _input = VerbOptions.Required<string>("--input", "CSV of candidates x1,y1,x2,y2,score (optional header); row order is the flat index");
    private readonly Option<string> _variant = VerbOptions.Required<string>("--variant", "Variant id with optional parameters, e.g. nms or soft-nms-gaussian(sigma=0.5)");
    private readonly Option<string> _backend = VerbOptions.WithDefault("--backend", "Backend: scalar or simd", "simd");
    private readonly Option<int> _repeat = VerbOptions.WithDefault("--repeat", "Timed runs after the warm-up (their median and p90 are reported)", FlatListPostprocessor.DefaultRepeats);
    private readonly Option<string?> _out = VerbOptions.Optional<string?>("--out", "Write the kept detections (same columns, output order) to this CSV");
    private readonly Option<bool> _noWarmUp = VerbOptions.Optional<bool>("--no-warmup", "Time cold code (by default untimed runs come first, until the JIT is done)");

    public override Command Create() => Command("postprocess", "Run one NMS-family variant on a flat candidate list and time it",
        [_input, _variant, _backend, _repeat, _out, _noWarmUp], Execute);

    private int Execute(ParseResult parse, CancellationToken cancellationToken)
    {
        var spec = VariantSpec.Parse(parse.GetValue(_variant)!);
        var candidates = FlatCandidateCsv.Read(parse.GetValue(_input)!);
        using var backend = CreateBackend(parse.GetValue(_backend)!);
        var result = FlatListPostprocessor.Run(candidates, spec, backend, parse.GetValue(_repeat), warmUp: !parse.GetValue(_noWarmUp));
        if (parse.GetValue(_out) is { } outPath) FlatCandidateCsv.Write(outPath, result.Detections);
        Output.Line(string.Create(CultureInfo.InvariantCulture,
            $"median_ms={result.MedianMs:0.000} p90_ms={result.P90Ms:0.000} kept={result.Kept} repeats={result.Repeats} warmup_passes={result.WarmUpPasses}"));
        return ExitCodes.Success;
    }

    private static IPostProcessingBackend CreateBackend(string name) => name.ToLowerInvariant() switch
    {
        "scalar" => new ScalarBackend(),
        "simd" => new SimdBackend(),
        _ => throw new UsageException($"unknown backend '{name}' for postprocess; known: scalar, simd"),
    };
}
