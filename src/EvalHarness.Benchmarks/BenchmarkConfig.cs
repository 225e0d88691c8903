using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Csv;
using EvalHarness.IO;

namespace EvalHarness.Benchmarks;

/// <summary>
/// The one shared config: MemoryDiagnoser (steady state must allocate 0 B), CSV and GitHub
/// Markdown exporters writing under <c>results/benchmarks/</c> of the repository. Jobs come from
/// the command line: <c>--job short</c> for a quick look (a few minutes for the key cases on two
/// cores), the default job for published numbers.
/// </summary>
public static class BenchmarkConfig
{
    /// <summary>Environment variables that narrow the parameter grid (they reach BenchmarkDotNet's child processes too).</summary>
    public const string VariantsVariable = "EVALHARNESS_BENCH_VARIANTS";
    public const string CountsVariable = "EVALHARNESS_BENCH_COUNTS";

    public static IConfig Create()
    {
        var root = DataPaths.FindRepositoryRoot(AppContext.BaseDirectory) ?? Directory.GetCurrentDirectory();
        // Minimum viable (console logger, default columns) + the default validators and analysers,
        // but only our two exporters (DefaultConfig would add HTML and duplicate these).
        return ManualConfig.CreateMinimumViable()
            .AddValidator(DefaultConfig.Instance.GetValidators().ToArray())
            .AddAnalyser(DefaultConfig.Instance.GetAnalysers().ToArray())
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddExporter(CsvExporter.Default, MarkdownExporter.GitHub)
            .WithArtifactsPath(Path.Combine(root, "results", "benchmarks"))
            .WithOptions(ConfigOptions.JoinSummary);
    }

    /// <summary>
    /// Removes the harness's own options from <paramref name="args"/>: <c>--variants nms,gc</c> and
    /// <c>--counts 16800,67200</c> restrict <see cref="PostProcessingBenchmarks"/>' parameters (a count
    /// moves to the nearest size that leaves a SIMD tail, <see cref="SyntheticDenseMaps"/>).
    /// </summary>
    public static string[] TakeHarnessOptions(string[] args)
    {
        var rest = new List<string>(args.Length);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--variants" && i + 1 < args.Length) Environment.SetEnvironmentVariable(VariantsVariable, args[++i]);
            else if (args[i] == "--counts" && i + 1 < args.Length) Environment.SetEnvironmentVariable(CountsVariable, args[++i]);
            else rest.Add(args[i]);
        }
        return rest.ToArray();
    }
}
