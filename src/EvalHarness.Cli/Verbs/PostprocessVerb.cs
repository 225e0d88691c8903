using System.CommandLine;
using System.Globalization;
using EvalHarness.Backends;
using EvalHarness.IO;
using EvalHarness.Jobs;
using EvalHarness.PostProcessing;

namespace EvalHarness.Cli;

/// <summary><c>postprocess --input FILE.csv --variant V --backend scalar|simd [--repeat R] [--out FILE]</c>: one NMS-family variant on a flat CSV list, timed.</summary>
internal static class PostprocessVerb
{
    public static Command Create()
    {
        var input = new Option<string>("--input") { Description = "CSV of candidates x1,y1,x2,y2,score (optional header); row order is the flat index", Required = true };
        var variant = new Option<string>("--variant") { Description = "variant id with optional parameters, e.g. nms or soft-nms-gaussian(sigma=0.5)", Required = true };
        var backend = new Option<string>("--backend") { Description = "scalar | simd", DefaultValueFactory = _ => "simd" };
        var repeat = new Option<int>("--repeat") { Description = "timed runs after the warm-up (their median and p90 are reported)", DefaultValueFactory = _ => FlatListPostprocessor.DefaultRepeats };
        var noWarmUp = new Option<bool>("--no-warmup") { Description = "time cold code (by default untimed runs come first, until the JIT is done)" };
        var output = new Option<string?>("--out") { Description = "write the kept detections (same columns, output order) to this CSV" };

        var command = new Command("postprocess", "Run one NMS-family variant on a flat candidate list and time it");
        command.Options.Add(input);
        command.Options.Add(variant);
        command.Options.Add(backend);
        command.Options.Add(repeat);
        command.Options.Add(output);
        command.Options.Add(noWarmUp);
        command.SetAction(parse => Execute(parse.GetValue(input)!, parse.GetValue(variant)!, parse.GetValue(backend)!,
                                           parse.GetValue(repeat), !parse.GetValue(noWarmUp), parse.GetValue(output), parse.InvocationConfiguration.Output));
        return command;
    }

    private static int Execute(string inputPath, string variantText, string backendName, int repeat, bool warmUp, string? outPath, TextWriter stdout)
    {
        var spec = VariantSpec.Parse(variantText);
        var candidates = FlatCandidateCsv.Read(inputPath);
        using var backend = CreateBackend(backendName);
        var result = FlatListPostprocessor.Run(candidates, spec, backend, repeat, warmUp);
        if (outPath is not null) FlatCandidateCsv.Write(outPath, result.Detections);
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
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
