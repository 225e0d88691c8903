using System.CommandLine;

namespace EvalHarness.Cli;

/// <summary>The verbs of the <c>evalharness</c> executable; each lives in its own file as a factory.</summary>
internal static class Verbs
{
    public static IEnumerable<Command> All()
    {
        // one line per verb (keep sorted by workflow: data, detect, post-process, run, compare)
        yield return DatasetVerb.Create();
        yield return ModelVerb.Create();
        yield return DetectVerb.Create();
        yield return PostprocessVerb.Create();
        yield return EvaluateVerb.Create();
        yield return RunVerb.Create();
        yield return MergeVerb.Create();
        yield return CompareVerb.Create();
        yield return BaselineVerb.Create();
        yield return GpuCheckVerb.Create();
    }
}
