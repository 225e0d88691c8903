using EvalHarness.Cli.Interaction;

namespace EvalHarness.Tests.Cli;

/// <summary>The messages a user trips on: no verb, a mistyped verb, the program's name in help, duplicate parameters, a GPU that must be there.</summary>
[Collection(nameof(ConsoleCollection))]
public sealed class CliMessagesTests
{
    [Fact]
    public void No_verb_prints_the_help_and_one_error_line_with_exit_2()
    {
        var (code, stdout, stderr) = CliHarness.InvokeCaptured();
        Assert.Equal(2, code);
        Assert.Contains("Usage:", stdout);
        Assert.Equal("error: name a verb, e.g. `evalharness run` (the verbs are listed above)", stderr.Trim());
    }

    [Fact]
    public void A_mistyped_verb_is_one_message_naming_the_nearest_verb()
    {
        var (code, _, stderr) = CliHarness.InvokeCaptured("rnu");
        Assert.Equal(2, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: unknown verb 'rnu'; did you mean 'run'?", line);
    }

    [Fact]
    public void Help_names_the_program_as_users_type_it()
    {
        var (code, stdout, _) = CliHarness.InvokeCaptured("run", "--help");
        Assert.Equal(0, code);
        Assert.Contains("evalharness run [options]", stdout);
        Assert.DoesNotContain("EvalHarness.Cli", stdout);
    }

    [Fact]
    public void A_parameter_given_twice_is_refused()
    {
        var (code, _, stderr) = CliHarness.InvokeCaptured("postprocess", "--input", "x.csv", "--variant", "nms(iou=0.3,iou=0.5)");
        Assert.Equal(2, code);
        Assert.Contains("parameter 'iou' is given twice", stderr);
    }

    [Fact]
    public void Gpu_check_with_require_gpu_fails_without_a_device_and_passes_as_n_a_without_it()
    {
        if (EvalHarness.Backends.Gpu.GpuBackend.TryCreate(out _) is { } gpu)
        {
            gpu.Dispose();
            Assert.Skip("a GPU is present: the no-device path cannot be exercised here");
        }
        var (code, _, stderr) = CliHarness.InvokeCaptured("gpu-check", "--require-gpu", "--sizes", "100", "--batches", "1");
        Assert.Equal(2, code);
        Assert.Contains("--require-gpu: no gpu device", stderr);
        Assert.Equal(0, CliHarness.InvokeCaptured("gpu-check", "--sizes", "100", "--batches", "1").Code);
    }

    [Theory]
    [InlineData(20.38, "20.4")]
    [InlineData(1.0, "1.00")]
    [InlineData(0.38, "0.380")]
    [InlineData(0.0036, "0.00360")]
    public void Speed_ratios_keep_three_significant_digits(double ratio, string expected) =>
        Assert.Equal(expected, ResultsConsole.Ratio(ratio));

    [Fact]
    public void A_run_states_the_image_count_once_and_prints_no_empty_verdict_header()
    {
        var dir = Directory.CreateTempSubdirectory("eh-msg-").FullName;
        try
        {
            var suite = Path.Combine(dir, "tiny.json");
            File.WriteAllText(suite, """{ "name": "tiny", "dataset": { "kind": "synthetic", "seed": 1, "images": 3 }, "variants": ["nms", "fast-nms"], "backends": ["scalar"], "repeats": 1, "warmup": 0, "bootstrapResamples": 100 }""");
            var (code, stdout, stderr) = CliHarness.InvokeCaptured("run", "--suite", suite, "--out", Path.Combine(dir, "out"));
            Assert.True(code == 0, stderr);
            Assert.Contains("tiny: synthetic (seed 1), 3 images\n", stdout.ReplaceLineEndings("\n"));
            Assert.DoesNotContain("3 images), 3 images", stdout);
            Assert.DoesNotContain("verdicts on", stdout); // no gradient-clipping variant: nothing to judge, no header
            Assert.Contains("1 backend", stdout);
            Assert.DoesNotContain("1 backends", stdout);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
