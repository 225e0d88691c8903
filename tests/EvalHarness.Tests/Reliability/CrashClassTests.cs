namespace EvalHarness.Tests.Reliability;

/// <summary>
/// The crash classes of a hostile environment through the real executable: file-system trouble,
/// sizes that cannot work, and inputs with nothing usable all end in one <c>error:</c> line naming
/// the path or value, exit code 2, and no stack trace (they used to be "Unhandled exception", 134).
/// </summary>
public sealed class CrashClassTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eh-crash-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Suite(string name = "ok", string dataset = """{ "kind": "synthetic", "seed": 1, "images": 2 }""", string extra = "")
    {
        var path = Path.Combine(_dir, $"suite-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, $$"""{ "name": "{{name}}", "dataset": {{dataset}}, "variants": ["nms"], "backends": ["scalar"], "repeats": 1, "warmup": 0, "bootstrapResamples": 100{{extra}} }""");
        return path;
    }

    private async Task AssertOneErrorLine(string expected, params string[] args)
    {
        using var process = CliProcess.Start(_dir, args);
        var (code, _, err) = await process.WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(code == 2, $"exit {code}: {err}");
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains(expected, line);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public async Task An_output_folder_that_cannot_be_created_or_written_is_named() =>
        // /sys refuses writes even to root, so this holds in a container too
        await AssertOneErrorLine("'/sys/kernel/evalharness-out' is denied", "run", "--suite", Suite(), "--out", "/sys/kernel/evalharness-out");

    [Fact]
    public async Task An_output_that_is_a_file_is_named()
    {
        var file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "x");
        await AssertOneErrorLine($"--out '{file}' is a file, not a folder", "run", "--suite", Suite(), "--out", file);
        await AssertOneErrorLine(Path.Combine(file, "below"), "run", "--suite", Suite(), "--out", Path.Combine(file, "below"));
    }

    [Fact]
    public async Task A_results_folder_that_is_a_file_is_named()
    {
        File.WriteAllText(Path.Combine(_dir, "results"), "x");
        await AssertOneErrorLine("results folder 'results' is a file", "run", "--suite", Suite());
    }

    [Theory]
    [InlineData("""{ "kind": "synthetic", "seed": 2147483648, "images": 2 }""", "seed 2147483648 is above the limit of 2147483647")]
    [InlineData("""{ "kind": "synthetic", "seed": 1, "images": 2000000000 }""", "images 2000000000 is above the limit of 1000000")]
    [InlineData("""{ "kind": "synthetic", "seed": 1, "images": 4000000000 }""", "'dataset.images' must be a whole number")]
    public async Task Dataset_values_out_of_range_are_refused_up_front(string dataset, string expected) =>
        await AssertOneErrorLine(expected, "run", "--suite", Suite(dataset: dataset));

    [Fact]
    public async Task A_suite_name_too_long_for_a_folder_is_refused_with_the_limit() =>
        await AssertOneErrorLine("at most 100", "run", "--suite", Suite(name: new string('n', 300)));

    [Fact]
    public async Task A_widerface_suite_whose_images_are_all_unreadable_says_so_before_running_the_detector()
    {
        var root = Path.Combine(_dir, "wider");
        TinyGroundTruth.Write(Path.Combine(root, "eval_tools", "ground_truth"));
        var images = Directory.CreateDirectory(Path.Combine(root, "WIDER_val", "images", TinyGroundTruth.Event)).FullName;
        foreach (var key in TinyGroundTruth.Keys) File.WriteAllText(Path.Combine(images, key + ".jpg"), "not a jpeg");
        var suite = Suite(dataset: """{ "kind": "widerface" }""", extra: """, "detector": { "model": "no-such-model" }""");
        await AssertOneErrorLine("no usable images: none of the 2 images", "run", "--suite", suite, "--root", root, "--out", Path.Combine(_dir, "out"));
        Assert.False(Directory.Exists(Path.Combine(_dir, "out")), "nothing is written before the input is known to be usable");

        var unknownEvent = Suite(dataset: """{ "kind": "widerface", "events": ["9--Nowhere"] }""", extra: """, "detector": { "model": "no-such-model" }""");
        await AssertOneErrorLine("unknown event '9--Nowhere'", "run", "--suite", unknownEvent, "--root", root);
    }

    [Fact]
    public async Task Compare_writing_into_an_unwritable_folder_is_one_error_line()
    {
        var repo = IO.DataPaths.FindRepositoryRoot(AppContext.BaseDirectory)!;
        var baseline = Path.Combine(repo, "results", "baseline", "quick");
        await AssertOneErrorLine("/sys/kernel/evalharness-compare", "compare", baseline, baseline, "--out", "/sys/kernel/evalharness-compare");
    }

    [Fact]
    public async Task Running_out_of_room_while_writing_results_is_one_error_line_and_a_rerun_resumes()
    {
        // No mount privileges for a small file system here, so the room runs out the way a process
        // can be limited without them: a file size limit (ulimit -f, in KiB). The kernel then fails
        // the write that crosses it (EFBIG; SIGXFSZ ignored, else it kills the process), the same
        // path as ENOSPC: pr_curves.csv (about 200 KiB) fails, the small files before it are whole.
        // W^X off: the runtime's double-mapped code memory is a file the limit would cut short.
        var suite = Suite(dataset: """{ "kind": "synthetic", "seed": 1, "images": 3 }""");
        var output = Path.Combine(_dir, "limited");
        using (var limited = CliProcess.StartAfter(_dir, "ulimit -f 100; exec env --ignore-signal=XFSZ",
            new Dictionary<string, string> { ["DOTNET_EnableWriteXorExecute"] = "0" }, "run", "--suite", suite, "--out", output))
        {
            var (code, _, err) = await limited.WaitAsync(TimeSpan.FromSeconds(120));
            Assert.True(code == 2, $"exit {code}: {err}");
            var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.StartsWith("error: no room to write: ", line);
            Assert.Contains(Path.Combine(output, "pr_curves.csv"), line);
            Assert.DoesNotContain("   at ", err);
        }
        Assert.False(File.Exists(Path.Combine(output, "complete.json")));
        Assert.Empty(Directory.GetFiles(output, "*.tmp", SearchOption.AllDirectories));
        Assert.False(File.Exists(Path.Combine(output, "pr_curves.csv")));
        Assert.Equal(2, File.ReadAllLines(Path.Combine(output, "summary.csv")).Length); // written before: whole (header + the nms row)
        Assert.Equal(3, CliProcess.StoredImages(output));

        using var again = CliProcess.Start(_dir, "run", "--suite", suite, "--out", output);
        var (againCode, againOut, againErr) = await again.WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(againCode == 0, againErr);
        Assert.Contains("3 of 3 images resumed", againOut);
        Assert.True(File.Exists(Path.Combine(output, "complete.json")));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // unix modes; the process tests need bash anyway
    public async Task An_output_folder_under_a_read_only_parent_is_one_error_line()
    {
        // chmod does not stop root (CI runs as root): there the run drops to user nobody (setpriv), for
        // whom the mode binds; a non-root user runs it directly. /sys covers the root-proof case above.
        var parent = Path.Combine(_dir, "read-only");
        Directory.CreateDirectory(parent);
        File.SetUnixFileMode(_dir, (UnixFileMode)Convert.ToInt32("755", 8));
        File.SetUnixFileMode(parent, (UnixFileMode)Convert.ToInt32("555", 8));
        var suite = Suite();
        File.SetUnixFileMode(suite, (UnixFileMode)Convert.ToInt32("644", 8));
        var asRoot = Environment.UserName == "root";
        var prelude = asRoot ? "exec setpriv --reuid=65534 --regid=65534 --clear-groups" : "exec";
        var output = Path.Combine(parent, "out");
        using var process = CliProcess.StartAfter(_dir, prelude, new Dictionary<string, string> { ["HOME"] = _dir, ["DOTNET_CLI_HOME"] = _dir }, "run", "--suite", suite, "--out", output);
        var (code, _, err) = await process.WaitAsync(TimeSpan.FromSeconds(120));
        File.SetUnixFileMode(parent, (UnixFileMode)Convert.ToInt32("755", 8)); // for the clean-up
        Assert.True(code == 2, $"exit {code}: {err}");
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("error: permission denied: ", line);
        Assert.Contains(output, line);
        Assert.False(Directory.Exists(output));
    }
}
