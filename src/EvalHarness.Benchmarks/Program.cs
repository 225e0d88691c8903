using BenchmarkDotNet.Running;

// BenchmarkSwitcher so `--filter` picks benchmarks by name; a failed benchmark makes the exit code non-zero.
var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
