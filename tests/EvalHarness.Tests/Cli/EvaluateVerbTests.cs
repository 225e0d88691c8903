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
        Assert.Contains("retinaface-mnet0.25-selftrained,,,hard,0.719752109388244,,,31958,", File.ReadAllText(Path.Combine(dir.Path, "ap.csv")));
        Assert.True(File.Exists(Path.Combine(dir.Path, "charts", "pr_hard.png")));
    }

    private static string Dump => Path.Combine(TestData.PredictionsRoot, "retinaface-mnet0.25-selftrained");

    [Fact]
    public void Several_methods_share_one_ap_csv_with_a_method_column_and_one_figure_per_setting()
    {
        using var dir = new EvalFixtures.TempDir();
        var (code, output, _) = Run("evaluate", "--pred", Dump, "--pred", Dump, "--label", "first", "--label", "second",
            "--gt", TestData.WiderFaceRoot, "--out", dir.Path);

        Assert.Equal(0, code);
        Assert.Contains("first\n  easy   AP 0.9003152243949055", output.ReplaceLineEndings("\n"));
        Assert.Contains("second\n  easy   AP 0.9003152243949055", output.ReplaceLineEndings("\n"));
        var ap = File.ReadAllLines(Path.Combine(dir.Path, "ap.csv"));
        Assert.Equal(1 + 2 * 3, ap.Length);
        Assert.Contains(",first,,,hard,0.719752109388244,,,31958,,,", ap);
        Assert.Contains(",second,,,hard,0.719752109388244,,,31958,,,", ap);
        foreach (var setting in new[] { "easy", "medium", "hard" }) Assert.True(File.Exists(Path.Combine(dir.Path, "charts", $"pr_{setting}.png")));
    }

    [Fact]
    public void Labels_must_match_the_folders_and_be_unique()
    {
        Assert.Equal(2, Run("evaluate", "--pred", Dump, "--pred", Dump, "--label", "one", "--gt", TestData.WiderFaceRoot).Code);
        var (code, _, error) = Run("evaluate", "--pred", Dump, "--pred", Dump, "--gt", TestData.WiderFaceRoot);
        Assert.Equal(2, code);
        Assert.Contains("--label", error);
    }

    [Fact]
    public void A_folder_that_cannot_be_read_stops_the_comparison_unless_lenient()
    {
        using var dir = new EvalFixtures.TempDir();
        var missing = Path.Combine(dir.Path, "no-such-folder");

        var (code, _, error) = Run("evaluate", "--pred", Dump, "--pred", missing, "--gt", TestData.WiderFaceRoot);
        Assert.Equal(2, code);
        Assert.Contains("no-such-folder", error);

        var (lenientCode, output, warning) = Run("evaluate", "--pred", Dump, "--pred", missing, "--gt", TestData.WiderFaceRoot, "--lenient");
        Assert.Equal(0, lenientCode);
        Assert.Contains("warning: no-such-folder: skipped", warning);
        Assert.Contains("hard   AP 0.719752109388244", output);
    }

    [Fact]
    public void Breakdown_splits_the_hard_faces_by_height_and_attribute()
    {
        using var dir = new EvalFixtures.TempDir();
        var (code, output, _) = Run("evaluate", "--pred", Dump, "--gt", TestData.WiderFaceRoot, "--breakdown", "--out", dir.Path);

        Assert.Equal(0, code);
        Assert.Contains("hard   AP 0.719752109388244", output);
        var rows = File.ReadAllLines(Path.Combine(dir.Path, "breakdown.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        // The bucket labels hold a comma, so a height row splits into 7 fields: detector (empty), method, kind, "[a, b)", faces, ap.
        var heights = rows.Where(r => r[2] == "height").ToList();
        Assert.Equal(5, heights.Count);
        Assert.Equal(31958, heights.Sum(r => int.Parse(r[^2], System.Globalization.CultureInfo.InvariantCulture)));
        foreach (var kind in new[] { "blur", "occlusion", "pose", "illumination", "expression" })
        {
            Assert.Equal(31958, rows.Where(r => r[2] == kind).Sum(r => int.Parse(r[^2], System.Globalization.CultureInfo.InvariantCulture)));
        }
        Assert.True(File.Exists(Path.Combine(dir.Path, "charts", "breakdown.png")));
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
