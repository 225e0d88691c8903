using EvalHarness.Runs;

namespace EvalHarness.Tests.Reliability;

/// <summary>
/// Real processes: two runs never write one folder (an explicit <c>--out</c> owned by a live run is
/// refused; resume never picks a live run's folder), and SIGTERM / SIGINT stop a run gracefully
/// with 143 / 130, keeping the finished images.
/// </summary>
public sealed class ConcurrencyAndSignalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eh-procs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string SuitePath()
    {
        var path = Path.Combine(_dir, "slow.json");
        File.WriteAllText(path, CliProcess.SlowSuite);
        return path;
    }

    [Fact]
    public async Task A_second_run_neither_writes_nor_resumes_the_folder_of_a_live_run()
    {
        var suite = SuitePath();
        var results = Path.Combine(_dir, "results");
        using var first = CliProcess.Start(_dir, "run", "--suite", suite);
        string FirstFolder() => Directory.Exists(results) ? Directory.GetDirectories(results).FirstOrDefault() ?? "" : "";
        await first.WaitUntilAsync(() => FirstFolder().Length > 0 && CliProcess.StoredImages(FirstFolder()) >= 2, "the first run stored two images");
        var liveFolder = FirstFolder();

        using (var intruder = CliProcess.Start(_dir, "run", "--suite", suite, "--out", liveFolder))
        {
            var (code, _, err) = await intruder.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(2, code);
            Assert.StartsWith("error: ", err);
            Assert.Contains($"being written by another run (process {first.Id} on {Environment.MachineName}", err);
            Assert.DoesNotContain("   at ", err);
        }

        using var second = CliProcess.Start(_dir, "run", "--suite", suite);
        await second.WaitUntilAsync(() => Directory.GetDirectories(results).Length == 2 && Directory.GetDirectories(results).All(d => File.Exists(Path.Combine(d, RunFolder.ManifestFile))), "the second run claimed its own folder");
        await second.WaitUntilAsync(() => RunFolder.ReadManifest(Directory.GetDirectories(results).Single(d => d != liveFolder)).Owner?.ProcessId == second.Id, "the second run recorded itself as owner");
        Assert.Equal(first.Id, RunFolder.ReadManifest(liveFolder).Owner?.ProcessId);
    }

    [Theory]
    [InlineData("TERM", 143)]
    [InlineData("INT", 130)]
    public async Task A_signal_stops_the_run_gracefully_keeping_finished_images(string signal, int expectedCode)
    {
        var outDir = Path.Combine(_dir, "out");
        using var run = CliProcess.Start(_dir, "run", "--suite", SuitePath(), "--out", outDir);
        await run.WaitUntilAsync(() => CliProcess.StoredImages(outDir) >= 2, "two images were stored");
        run.Signal(signal);
        var (code, _, err) = await run.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(code == expectedCode, $"exit {code}: {err}");
        Assert.Contains("cancelled; finished results were kept", err);
        Assert.DoesNotContain("   at ", err);
        Assert.InRange(CliProcess.StoredImages(outDir), 2, 59);
        Assert.False(RunFolder.IsComplete(outDir));
    }
}
