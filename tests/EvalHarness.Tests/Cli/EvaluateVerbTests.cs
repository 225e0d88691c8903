using EvalHarness.Tests.Metrics;

namespace EvalHarness.Tests.Cli;

/// <summary>Runs the real verbs end to end; console output is captured, so these tests do not run in parallel with each other.</summary>
[Collection(nameof(ConsoleCollection))]
public sealed class EvaluateVerbTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => CliHarness.InvokeCaptured(args);

    [Fact]
    public void Evaluate_prints_the_golden_APs_and_writes_the_outputs()
    {
        using var dir = new EvalFixtures.TempDir();
        var (code, output, _) = Run("evaluate", "--pred", Path.Combine(TestData.PredictionsRoot, "retinaface-mnet0.25-selftrained"),
            "--gt", Path.Combine(TestData.WiderFaceRoot, "eval_tools", "ground_truth"), "--out", dir.Path, "--timing");

        Assert.Equal(0, code);
        Assert.Contains("easy   AP 0.9003152243949055", output);
        Assert.Contains("medium AP 0.8727082460501708", output);
        Assert.Contains("hard   AP 0.719752109388244", output);
        Assert.Contains("timing:", output);
        Assert.Contains("hard,0.719752109388244,31958", File.ReadAllText(Path.Combine(dir.Path, "ap.csv")));
        Assert.True(File.Exists(Path.Combine(dir.Path, "pr_curve.png")));
    }

    [Fact]
    public void Evaluate_reports_a_crash_case_as_one_error_line_with_exit_code_2()
    {
        using var dir = new EvalFixtures.TempDir();
        dir.Write("0--Parade/x.txt", "x\n1\n1\t2 3 4 0.5\n");
        var (code, _, error) = Run("evaluate", "--pred", dir.Path, "--gt", TestData.WiderFaceRoot);

        Assert.Equal(2, code);
        Assert.StartsWith("error: ", error);
        Assert.Contains("x.txt:3:", error);
    }

    [Fact]
    public void Evaluate_subset_counts_only_the_images_with_prediction_files_and_says_so()
    {
        using var dir = new EvalFixtures.TempDir();
        var source = Path.Combine(TestData.PredictionsRoot, "retinaface-mnet0.25-selftrained");
        string[] events = ["0--Parade", "13--Interview", "19--Couple", "20--Family_Group", "4--Dancing"];
        foreach (var eventName in events)
        {
            Directory.CreateDirectory(Path.Combine(dir.Path, eventName));
            foreach (var file in Directory.GetFiles(Path.Combine(source, eventName))) File.Copy(file, Path.Combine(dir.Path, eventName, Path.GetFileName(file)));
        }
        var local = GoldenApTests.FullGroundTruth().Images.Where(i => events.Contains(i.Event)).ToList();

        var (code, output, _) = Run("evaluate", "--pred", dir.Path, "--gt", TestData.WiderFaceRoot, "--subset");

        Assert.Equal(0, code);
        Assert.Contains($"SUBSET of {local.Count} images", output);
        Assert.Contains($"({local.Sum(i => i.CountedFaces(EvalHarness.Datasets.Setting.Hard))} faces)", output);
        // Without --subset the python protocol stops at the first missing event folder.
        Assert.Equal(2, Run("evaluate", "--pred", dir.Path, "--gt", TestData.WiderFaceRoot).Code);
    }

    [Fact]
    public void Dataset_verify_succeeds_on_the_shared_sample()
    {
        var (code, output, _) = Run("dataset", "verify", "--root", TestData.WiderFaceRoot);
        Assert.Equal(0, code);
        Assert.Contains("dataset ok", output);
    }
}

[CollectionDefinition(nameof(ConsoleCollection), DisableParallelization = true)]
public sealed class ConsoleCollection;
