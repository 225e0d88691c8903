using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using EvalHarness.Backends;
using EvalHarness.Detectors.Synthetic;
using EvalHarness.PostProcessing;
using EvalHarness.Reporting;
using EvalHarness.Runs;
using EvalHarness.Sources;
using EvalHarness.Tests.Backends.Gpu;

namespace EvalHarness.Tests.Runs;

/// <summary>
/// <c>run</c> hands backends that prefer batches (the GPU) several images per <c>RunBatch</c>:
/// the results must not change, the timing must be one call per warm-up and repeat per batch,
/// and a bad image, a resumed store or a device fault must behave as they do image by image.
/// </summary>
public sealed class BatchedRunTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eh-batch-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly VariantSpec[] TwoVariants = [VariantSpec.Default(VariantKind.Nms), VariantSpec.Default(VariantKind.Gc)];

    private static RunPlan Plan(int batch, params string[] backends) => new()
    {
        Variants = TwoVariants,
        Backends = backends,
        Repeats = 3,
        WarmUp = 1,
        BatchSize = batch,
    };

    private RunExecutor Executor(ICandidateSource source, RunPlan plan, string folder, params BackendSlot[] slots) =>
        new(source, plan, slots, Store(source, plan, folder));

    private ImageOutcomeStore Store(ICandidateSource source, RunPlan plan, string folder) =>
        new(Path.Combine(_dir, folder), plan.Hash(source.Describe(), RunFolder.ImageListHash(source.Images)));

    // Small WIDER-like maps (a few hundred candidates): the GPU backend runs on ILGPU's CPU simulator here.
    private static readonly SyntheticOptions SmallMaps = new() { ImageWidth = 256, MinImageHeight = 160, MaxImageHeight = 320 };

    private static readonly VariantSpec[] GpuVariants =
    [
        VariantSpec.Parse("nms"),
        VariantSpec.Parse("fast-nms"),
        VariantSpec.Parse("soft-nms-linear"),
        VariantSpec.Parse("gc(r=1,k=2)"),
        VariantSpec.Parse("gc+nms(r=1,k=2)"),
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    public void Batched_gpu_cells_equal_the_scalar_cells_exactly(int batch)
    {
        const int images = 7; // 3 and 4 do not divide it: the last batch is short
        var source = new SyntheticCandidateSource(9, images, SmallMaps);
        var plan = new RunPlan { Variants = GpuVariants, Backends = ["scalar", "gpu"], Repeats = 2, WarmUp = 1, BatchSize = batch };
        using var scalar = new ScalarBackend();
        using var gpu = GpuTestBackend.Borrow();
        var executor = Executor(source, plan, $"gpu-{batch}", new BackendSlot("scalar", scalar, null), new BackendSlot("gpu", gpu, null));
        Assert.Equal(batch, executor.BatchSize);

        var outcomes = executor.Execute(TestContext.Current.CancellationToken);

        Assert.Equal(images, outcomes.Count);
        var kept = 0;
        for (var i = 0; i < images; i++)
        {
            Assert.Equal(i, outcomes[i].ImageIndex);
            Assert.Null(outcomes[i].Error);
            for (var v = 0; v < GpuVariants.Length; v++)
            {
                var expected = outcomes[i].Cells[plan.CellIndex(v, 0)];
                var actual = outcomes[i].Cells[plan.CellIndex(v, 1)];
                Assert.True(expected.Status == CellStatus.Ok, expected.Message);
                Assert.True(actual.Status == CellStatus.Ok, actual.Message);
                Assert.Equal(expected.FlatIndex, actual.FlatIndex);
                Assert.Equal(expected.Detections, actual.Detections);
                Assert.Equal(plan.Repeats, actual.SamplesMs.Length);
                kept += actual.DetectionCount;
            }
        }
        Assert.True(kept > images * GpuVariants.Length, $"the maps should keep detections, kept {kept}");
    }

    [Fact]
    public void Run_batch_is_called_once_per_warm_up_and_repeat_per_batch_and_samples_are_batch_time_over_images()
    {
        var batching = new FakeBatchingBackend("gpu") { BatchDelay = TimeSpan.FromMilliseconds(30) };
        var plan = Plan(3, "b0", "gpu");
        var outcomes = Executor(new FakeSource(7), plan, "calls", new BackendSlot("b0", new FakeBackend("b0"), null), new BackendSlot("gpu", batching, null))
            .Execute(TestContext.Current.CancellationToken);

        // images 0-2 and 3-5: per batch and variant one warm-up and three timed calls of three maps;
        // image 6, alone in its batch, runs image by image like every backend.
        Assert.Equal(Enumerable.Repeat(3, 2 * TwoVariants.Length * (1 + 3)), batching.BatchSizes);
        Assert.Equal(7, outcomes.Count);
        for (var i = 0; i < 7; i++)
        {
            Assert.Equal(i, outcomes[i].ImageIndex);
            foreach (var cell in outcomes[i].Cells)
            {
                Assert.Equal(CellStatus.Ok, cell.Status);
                Assert.Equal(i + 1, cell.DetectionCount);
                Assert.Equal(3, cell.SamplesMs.Length);
            }
        }
        for (var v = 0; v < TwoVariants.Length; v++)
        {
            var cell = plan.CellIndex(v, 1);
            for (var batchStart = 0; batchStart < 6; batchStart += 3)
            {
                var samples = outcomes[batchStart].Cells[cell].SamplesMs;
                for (var i = batchStart + 1; i < batchStart + 3; i++) Assert.Equal(samples, outcomes[i].Cells[cell].SamplesMs);
                // each timed call slept 30 ms for three images: a sample is a third of that, not the whole batch
                Assert.All(samples, s => Assert.InRange(s, 29.0 / 3, 29.0));
            }
        }
    }

    [Fact]
    public void A_non_deterministic_batching_backend_fails_its_cells_while_the_others_stand()
    {
        var plan = Plan(4, "b0", "gpu");
        var outcomes = Executor(new FakeSource(4), plan, "jitter", new BackendSlot("b0", new FakeBackend("b0"), null), new BackendSlot("gpu", new FakeBatchingBackend("gpu") { Jitter = true }, null))
            .Execute(TestContext.Current.CancellationToken);

        Assert.All(outcomes, o =>
        {
            for (var v = 0; v < TwoVariants.Length; v++)
            {
                Assert.Equal(CellStatus.Ok, o.Cells[plan.CellIndex(v, 0)].Status);
                var failed = o.Cells[plan.CellIndex(v, 1)];
                Assert.Equal(CellStatus.Failed, failed.Status);
                Assert.Contains("non-deterministic", failed.Message);
            }
        });
    }

    [Fact]
    public void A_bad_image_inside_a_batch_is_skipped_and_the_rest_of_the_batch_computed()
    {
        var batching = new FakeBatchingBackend("gpu");
        var plan = Plan(3, "gpu");
        var outcomes = Executor(new FakeSource(6, bad: 1), plan, "bad", new BackendSlot("gpu", batching, null)).Execute(TestContext.Current.CancellationToken);

        Assert.Equal(6, outcomes.Count);
        Assert.Contains("corrupt JPEG", outcomes[1].Error);
        Assert.Empty(outcomes[1].Cells);
        for (var i = 0; i < 6; i++)
        {
            if (i == 1) continue;
            Assert.Null(outcomes[i].Error);
            Assert.All(outcomes[i].Cells, c =>
            {
                Assert.Equal(CellStatus.Ok, c.Status);
                Assert.Equal(i + 1, c.DetectionCount); // each image got its own map's detections back
            });
        }
        var perBatch = TwoVariants.Length * (1 + 3);
        Assert.Equal([.. Enumerable.Repeat(2, perBatch), .. Enumerable.Repeat(3, perBatch)], batching.BatchSizes);
    }

    [Fact]
    public void A_resumed_store_computes_only_the_missing_images_of_a_batch()
    {
        var plan = Plan(3, "b0", "gpu");
        var first = Executor(new FakeSource(7), plan, "resume", new BackendSlot("b0", new FakeBackend("b0"), null), new BackendSlot("gpu", new FakeBatchingBackend("gpu"), null))
            .Execute(TestContext.Current.CancellationToken);
        var store = Store(new FakeSource(7), plan, "resume");
        foreach (var missing in new[] { 1, 2, 5 }) File.Delete(store.PathOf(missing));

        var again = new FakeSource(7);
        var batching = new FakeBatchingBackend("gpu");
        var outcomes = Executor(again, plan, "resume", new BackendSlot("b0", new FakeBackend("b0"), null), new BackendSlot("gpu", batching, null))
            .Execute(TestContext.Current.CancellationToken);

        Assert.Equal(3, again.Loads);
        Assert.Equal(Enumerable.Repeat(3, TwoVariants.Length * (1 + 3)), batching.BatchSizes); // the three missing images, one batch
        Assert.Equal(7, outcomes.Count);
        for (var i = 0; i < 7; i++)
        {
            Assert.Equal(i, outcomes[i].ImageIndex);
            for (var c = 0; c < plan.CellCount; c++) Assert.Equal(first[i].Cells[c].Detections, outcomes[i].Cells[c].Detections);
        }
    }

    [Fact]
    public void A_device_fault_in_a_batch_fails_that_backend_for_the_batch_and_later_images_while_other_backends_stand()
    {
        // nms of the first batch takes calls 1-4 (warm-up, three repeats); gc's first timed call (6) faults
        var batching = new FakeBatchingBackend("gpu") { FailAfterBatchCalls = 5 };
        var plan = Plan(3, "b0", "gpu");
        var outcomes = Executor(new FakeSource(7), plan, "fault", new BackendSlot("b0", new FakeBackend("b0"), null), new BackendSlot("gpu", batching, null))
            .Execute(TestContext.Current.CancellationToken);

        Assert.Equal(6, batching.BatchSizes.Count); // nothing is sent to a failed device
        for (var i = 0; i < 7; i++)
        {
            Assert.Equal(CellStatus.Ok, outcomes[i].Cells[plan.CellIndex(0, 0)].Status);
            Assert.Equal(CellStatus.Ok, outcomes[i].Cells[plan.CellIndex(1, 0)].Status);
            Assert.Equal(i < 3 ? CellStatus.Ok : CellStatus.Failed, outcomes[i].Cells[plan.CellIndex(0, 1)].Status);
            var gc = outcomes[i].Cells[plan.CellIndex(1, 1)];
            Assert.Equal(CellStatus.Failed, gc.Status);
            Assert.Contains("device lost", gc.Message);
            Assert.Contains("a batch of 3 images (0--Fake/img_0 to 0--Fake/img_2)", gc.Message);
        }
    }

    [Fact]
    public void Without_a_backend_that_prefers_batches_images_are_stored_one_by_one()
    {
        var executor = Executor(new FakeSource(3), Plan(16, "b0"), "cpu", new BackendSlot("b0", new FakeBackend("b0"), null));
        Assert.Equal(1, executor.BatchSize);
        var absentGpu = Executor(new FakeSource(3), Plan(16, "b0", "gpu"), "absent", new BackendSlot("b0", new FakeBackend("b0"), null), new BackendSlot("gpu", null, "no CUDA/OpenCL device"));
        Assert.Equal(1, absentGpu.BatchSize);
    }

    [Fact]
    public void The_batch_size_enters_the_plan_hash_only_where_it_changes_a_latency()
    {
        var cpu = new RunPlan { Variants = TwoVariants, Backends = ["scalar", "simd"], Repeats = 3, WarmUp = 1 };
        Assert.Equal(HashBeforeBatches(cpu), cpu.Hash("src", "list"));
        Assert.Equal(cpu.Hash("src", "list"), (cpu with { BatchSize = 1 }).Hash("src", "list"));

        var gpu = cpu with { Backends = ["scalar", "simd", "gpu"] };
        Assert.Equal(HashBeforeBatches(gpu), (gpu with { BatchSize = 1 }).Hash("src", "list"));
        Assert.NotEqual(HashBeforeBatches(gpu), gpu.Hash("src", "list"));
        Assert.NotEqual((gpu with { BatchSize = 8 }).Hash("src", "list"), gpu.Hash("src", "list"));
    }

    /// <summary>The plan hash as it was computed before batches existed (what stored run folders carry).</summary>
    private static ulong HashBeforeBatches(RunPlan plan)
    {
        var text = new StringBuilder()
            .Append("src").Append('\n')
            .Append("list").Append('\n')
            .AppendJoin('|', plan.Variants).Append('\n')
            .AppendJoin('|', plan.Backends).Append('\n')
            .Append(plan.Repeats).Append(' ').Append(plan.WarmUp);
        return BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    [Fact]
    public void The_results_say_that_a_batching_backends_latency_is_batch_time_over_images()
    {
        var context = HandBuiltRun.Context() with { Plan = HandBuiltRun.Plan with { Backends = ["scalar", "gpu"], BatchSize = 8 } };
        var run = RunAggregator.Aggregate(context, HandBuiltRun.Outcomes());
        var note = Assert.Single(run.LatencyNotes);
        Assert.StartsWith("gpu latency: batch time / images, batches of up to 8 images", note);
        Assert.Contains("Note: gpu latency: batch time / images", MarkdownReportExporter.Render(run));

        var unbatched = RunAggregator.Aggregate(HandBuiltRun.Context() with { Plan = context.Plan with { BatchSize = 1 } }, HandBuiltRun.Outcomes());
        Assert.Empty(unbatched.LatencyNotes);
        Assert.Empty(RunAggregator.Aggregate(HandBuiltRun.Context(), HandBuiltRun.Outcomes()).LatencyNotes); // no gpu backend
    }
}
