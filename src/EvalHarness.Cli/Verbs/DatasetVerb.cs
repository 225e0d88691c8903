using System.CommandLine;
using EvalHarness.Datasets;
using EvalHarness.IO;

namespace EvalHarness.Cli;

/// <summary><c>dataset verify</c>: counts, checksums and local images of a WIDER FACE folder.</summary>
internal static class DatasetVerb
{
    private static readonly Option<string?> Root = new("--root") { Description = "WIDER FACE root (default: $WIDERFACE_ROOT)" };

    public static Command Create()
    {
        var verify = new Command("verify", "check annotation and ground-truth counts, SHA256SUMS and which images are present") { Root };
        verify.SetAction(parse => Verify(parse.GetValue(Root)));
        return new Command("dataset", "inspect the local WIDER FACE data") { verify };
    }

    private static int Verify(string? rootOption)
    {
        var root = DataPaths.ResolveWiderFaceRoot(rootOption)
            ?? throw new UsageException($"no dataset root: pass --root or set {DataPaths.WiderFaceRootVariable}");
        var report = DatasetVerifier.Verify(root);
        Console.WriteLine($"dataset {report.Root}");
        foreach (var check in report.Checks)
        {
            var expected = check.Expected is null ? "" : $" (expected {check.Expected})";
            Console.WriteLine($"  [{(check.Ok ? " ok " : "FAIL")}] {check.Name}: {check.Found}{(check.Ok ? "" : expected)}");
        }
        foreach (var detail in report.Details) Console.WriteLine($"  {detail}");
        Console.WriteLine(report.Ok ? "dataset ok" : "dataset has problems");
        return report.Ok ? ExitCodes.Success : ExitCodes.Failure;
    }
}
