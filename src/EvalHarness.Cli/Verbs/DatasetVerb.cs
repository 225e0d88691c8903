using System.CommandLine;
using EvalHarness.Cli.Interaction;
using EvalHarness.Datasets;

namespace EvalHarness.Cli;

/// <summary><c>dataset verify</c>: counts, checksums and local images of a WIDER FACE folder.</summary>
internal sealed class DatasetVerb(CliOutput output) : Verb(output)
{
    private readonly Option<string?> _root = VerbOptions.Root();

    public override Command Create() => Group("dataset", "Inspect the local WIDER FACE data",
        Command("verify", "Check annotation and ground-truth counts, SHA256SUMS and which images are present", [_root], Verify));

    private int Verify(ParseResult parse, CancellationToken cancellationToken)
    {
        var root = RequireWiderFaceRoot(parse.GetValue(_root));
        var report = DatasetVerifier.Verify(root);
        Output.Line($"dataset {report.Root}");
        foreach (var check in report.Checks)
        {
            var expected = check.Expected is null ? "" : $" (expected {check.Expected})";
            Output.Line($"  [{(check.Ok ? " ok " : "FAIL")}] {check.Name}: {check.Found}{(check.Ok ? "" : expected)}");
        }
        foreach (var detail in report.Details) Output.Line($"  {detail}");
        Output.Line(report.Ok ? "dataset ok" : "dataset has problems");
        return report.Ok ? ExitCodes.Success : ExitCodes.Failure;
    }
}
