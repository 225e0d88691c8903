using EvalHarness.IO;
using EvalHarness.PostProcessing;
using EvalHarness.Runs;
using EvalHarness.Suites;

namespace EvalHarness.Tests.Runs;

public sealed class RunExecutorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eh-run-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static RunPlan Plan(int backends = 1, ShardSpec? shard = null, bool strict = false) => new()
    {
        Variants = [VariantSpec.Default(VariantKind.Nms), VariantSpec.Default(VariantKind.Gc)],
        Backends = Enumerable.Range(0, backends).Select(i => $"b{i}").ToList(),
        Repeats = 3,
        WarmUp = 1,
        Shard = shard,
        Strict = strict,
    };

    private RunExecutor Executor(FakeSource source, RunPlan plan, params BackendSlot[] slots) =>
        new(source, plan, slots, new ImageOutcomeStore(_dir, plan.Hash(source.Describe(), RunFolder.ImageListHash(source.Images))));

    [Fact]
    public void Runs_every_cell_and_keeps_every_repeat()
    {
        var source = new FakeSource(4);
        var outcomes = Executor(source, Plan(), new BackendSlot("b0", new FakeBackend("b0"), null)).Execute(TestContext.Current.CancellationToken);

        Assert.Equal(4, outcomes.Count);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(i + 1, outcomes[i].CandidateCount);
            Assert.All(outcomes[i].Cells, c =>
            {
                Assert.Equal(CellStatus.Ok, c.Status);
                Assert.Equal(3, c.SamplesMs.Length);
                Assert.Equal(i + 1, c.DetectionCount);
            });
        }
    }

    [Fact]
    public void Absent_backends_and_missing_variants_are_marked_not_available()
    {
        var source = new FakeSource(2);
        var lacksGc = new FakeBackend("b0") { Lacks = [VariantKind.Gc] };
        var outcomes = Executor(source, Plan(backends: 2), new BackendSlot("b0", lacksGc, null), new BackendSlot("b1", null, "no CUDA device")).Execute(TestContext.Current.CancellationToken);

        var cells = outcomes[0].Cells;
        Assert.Equal(CellStatus.Ok, cells[0].Status);                 // nms on b0
        Assert.Equal(CellStatus.NotAvailable, cells[1].Status);       // nms on b1
        Assert.Equal("no CUDA device", cells[1].Message);
        Assert.Equal(CellStatus.NotAvailable, cells[2].Status);       // gc on b0
        Assert.Contains("does not implement gc", cells[2].Message);
    }

    [Fact]
    public void A_non_deterministic_backend_fails_its_cell()
    {
        var outcomes = Executor(new FakeSource(1), Plan(), new BackendSlot("b0", new FakeBackend("b0") { Jitter = true }, null)).Execute(TestContext.Current.CancellationToken);
        Assert.All(outcomes[0].Cells, c =>
        {
            Assert.Equal(CellStatus.Failed, c.Status);
            Assert.Contains("non-deterministic", c.Message);
        });
    }

    [Fact]
    public void A_backend_that_faults_is_out_for_the_rest_of_the_run_while_others_stand()
    {
        var flaky = new FakeBackend("gpu") { FailAfterCalls = 5 };
        var outcomes = Executor(new FakeSource(3), Plan(backends: 2), new BackendSlot("b0", new FakeBackend("b0"), null), new BackendSlot("gpu", flaky, null)).Execute(TestContext.Current.CancellationToken);

        Assert.All(outcomes, o => Assert.Equal(CellStatus.Ok, o.Cells[0].Status));
        Assert.Equal(CellStatus.Failed, outcomes[2].Cells[1].Status);
        Assert.Contains("device lost", outcomes[2].Cells[1].Message);
    }

    [Fact]
    public void A_bad_image_is_recorded_and_skipped_unless_strict()
    {
        var outcomes = Executor(new FakeSource(3, bad: 1), Plan(), new BackendSlot("b0", new FakeBackend("b0"), null)).Execute(TestContext.Current.CancellationToken);
        Assert.Equal(3, outcomes.Count);
        Assert.Contains("corrupt JPEG", outcomes[1].Error);
        Assert.Null(outcomes[2].Error);

        var strict = Executor(new FakeSource(3, bad: 1), Plan(strict: true), new BackendSlot("b0", new FakeBackend("b0"), null));
        Directory.Delete(Path.Combine(_dir, "images"), true);
        Assert.Throws<DataFormatException>(() => strict.Execute(TestContext.Current.CancellationToken));
    }

    [Fact]
    public void A_rerun_resumes_from_stored_outcomes_without_reloading()
    {
        var plan = Plan();
        Executor(new FakeSource(5), plan, new BackendSlot("b0", new FakeBackend("b0"), null)).Execute(TestContext.Current.CancellationToken);

        var again = new FakeSource(5);
        var outcomes = Executor(again, plan, new BackendSlot("b0", new FakeBackend("b0"), null)).Execute(TestContext.Current.CancellationToken);
        Assert.Equal(0, again.Loads);
        Assert.Equal(5, outcomes.Count);
    }

    [Fact]
    public void Shards_partition_the_images()
    {
        var seen = new List<int>();
        for (var i = 1; i <= 3; i++)
        {
            var executor = Executor(new FakeSource(10), Plan(shard: new ShardSpec(i, 3)), new BackendSlot("b0", new FakeBackend("b0"), null));
            seen.AddRange(executor.SelectedImages());
        }
        seen.Sort();
        Assert.Equal(Enumerable.Range(0, 10), seen);
    }
}
