using BenchmarkDotNet.Running;
using EvalHarness.Benchmarks;

// BenchmarkSwitcher so --filter / --job / --list work; exit 1 when any benchmark failed.
var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchmarkConfig).Assembly).Run(BenchmarkConfig.TakeHarnessOptions(args), BenchmarkConfig.Create());
foreach (var summary in summaries)
{
    if (summary.HasCriticalValidationErrors || summary.Reports.Any(r => !r.Success)) return 1;
}
return 0;
