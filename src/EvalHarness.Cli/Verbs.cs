using EvalHarness.Cli.Interaction;

namespace EvalHarness.Cli;

/// <summary>The verbs of the <c>evalharness</c> executable; each lives in its own file under <c>Verbs/</c>.</summary>
internal static class Verbs
{
    public static IEnumerable<Verb> All(CliOutput output)
    {
        // one line per verb (keep sorted by workflow: data, detect, post-process, run, compare)
        yield return new DatasetVerb(output);
        yield return new ModelVerb(output);
        yield return new DetectVerb(output);
        yield return new PostprocessVerb(output);
        yield return new EvaluateVerb(output);
        yield return new RunVerb(output);
        yield return new MergeVerb(output);
        yield return new CompareVerb(output);
        yield return new BaselineVerb(output);
        yield return new GpuCheckVerb(output);
    }
}
