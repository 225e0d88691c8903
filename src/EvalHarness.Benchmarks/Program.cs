using BenchmarkDotNet.Running;
using EvalHarness.Benchmarks;

// `aggregation`: the Stopwatch harness of the run's row statistics (AggregationTiming), outside BenchmarkDotNet.
if (args.Length > 0 && args[0] == "aggregation") return AggregationTiming.Run(args[1..]);

// BenchmarkSwitcher so --filter / --job / --list work; exit 1 when any benchmark failed.
var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchmarkConfig).Assembly).Run(BenchmarkConfig.TakeHarnessOptions(args), BenchmarkConfig.Create());
foreach (var summary in summaries)
{
    if (summary.HasCriticalValidationErrors || summary.Reports.Any(r => !r.Success)) return 1;
}
return 0;
