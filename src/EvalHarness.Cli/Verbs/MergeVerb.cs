using System.CommandLine;
using EvalHarness.Cli.Interaction;
using EvalHarness.Runs;

namespace EvalHarness.Cli;

/// <summary><c>merge DIR…</c>: combines the shard folders of one suite into the results of an unsharded run.</summary>
internal sealed class MergeVerb(CliOutput output) : Verb(output)
{
    private readonly Argument<string[]> _shards = VerbOptions.Arguments("shards", "The shard result folders (each has run.json and images/)");
    private readonly Option<string> _out = VerbOptions.Required<string>("--out", "Folder for the merged results");
    private readonly Option<string?> _root = VerbOptions.Root();
    private readonly Option<bool> _writePredictions = VerbOptions.Optional<bool>("--write-predictions", "Also write a WIDER-format prediction folder per variant under <out>/predictions");

    public override Command Create() => Command("merge", "Combine shards (run --shard i/n) into one result, identical to an unsharded run but for timings",
        [_shards, _out, _root, _writePredictions], Execute);

    private int Execute(ParseResult parse, CancellationToken cancellationToken)
    {
        var outFolder = parse.GetValue(_out)!;
        var run = RunSession.Merge(parse.GetValue(_shards)!, outFolder, parse.GetValue(_root), parse.GetValue(_writePredictions));
        ResultsConsole.Print(Output, run);
        Output.Line($"results: {Path.GetFullPath(outFolder)}");
        return ExitCodes.Success;
    }
}
