using System.Diagnostics;
using System.Runtime;

namespace EvalHarness.Timing;

/// <summary>How a warm-up ended: the passes it took, how long, and whether the JIT had gone quiet.</summary>
internal readonly record struct WarmUpReport(int Passes, TimeSpan Elapsed, bool Settled);

/// <summary>
/// Warms code up until the JIT has finished with it, so timings measure optimised (tier-1) code.
/// Tiered compilation first runs methods unoptimised and re-compiles the hot ones in the background
/// about 100 ms after their calls stop introducing new methods; a fixed single warm-up pass leaves
/// the first timed repeats on tier-0 code (seen: 90, 42, 5 ms for one image). This runs passes
/// until a pass compiles nothing new and no method has been compiled for <see cref="SettleTime"/>.
/// </summary>
internal static class JitWarmUp
{
    /// <summary>Longer than the runtime's tier-up delay (100 ms) plus the background re-compilation.</summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Runs <paramref name="pass"/> at least <paramref name="minimumPasses"/> times and until the JIT is
    /// quiet, or <paramref name="budget"/> is spent (then <see cref="WarmUpReport.Settled"/> is false).
    /// </summary>
    public static WarmUpReport Run(Action pass, int minimumPasses, TimeSpan budget)
    {
        var clock = Stopwatch.StartNew();
        var compiled = JitInfo.GetCompiledMethodCount();
        var lastChange = TimeSpan.Zero;
        var passes = 0;
        while (true)
        {
            pass();
            passes++;
            var now = JitInfo.GetCompiledMethodCount();
            if (now != compiled)
            {
                compiled = now;
                lastChange = clock.Elapsed;
            }
            else if (passes >= minimumPasses && clock.Elapsed - lastChange >= SettleTime)
            {
                return new WarmUpReport(passes, clock.Elapsed, Settled: true);
            }
            if (clock.Elapsed >= budget && passes >= minimumPasses) return new WarmUpReport(passes, clock.Elapsed, Settled: false);
            // A fast pass would spin thousands of times while the background compiler catches up; let it.
            if (clock.Elapsed - lastChange < SettleTime) Thread.Sleep(1);
        }
    }
}
