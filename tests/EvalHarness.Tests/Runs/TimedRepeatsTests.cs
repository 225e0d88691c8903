using EvalHarness.PostProcessing;
using EvalHarness.Runs;

namespace EvalHarness.Tests.Runs;

/// <summary>The timed loop shared by <c>run</c> and the sweep.</summary>
public sealed class TimedRepeatsTests
{
    private static CandidateMap Map()
    {
        var map = new CandidateMap([(2, 2, 1, 8f)], 0);
        for (var i = 0; i < map.Count; i++)
        {
            map.Scores[i] = 0.1f * (i + 1);
            map.X2[i] = map.Y2[i] = 4f + i;
        }
        return map;
    }

    [Fact]
    public void A_deterministic_backend_fills_every_sample_after_the_warm_up()
    {
        var backend = new CountingBackend();
        var samples = new double[4];
        var first = new DetectionList();
        var differing = TimedRepeats.Run(backend, Map(), VariantSpec.Default(VariantKind.Nms), warmUp: 3, first, new DetectionList(), samples);

        Assert.Equal(-1, differing);
        Assert.Equal(3 + 4, backend.Calls);
        Assert.All(samples, s => Assert.True(s >= 0));
        Assert.Equal(4, first.Count);
    }

    [Fact]
    public void The_first_repeat_that_differs_is_reported()
    {
        var backend = new FakeBackend("jitter") { Jitter = true };
        var differing = TimedRepeats.Run(backend, Map(), VariantSpec.Default(VariantKind.Nms), warmUp: 1, new DetectionList(), new DetectionList(), new double[5]);
        Assert.Equal(1, differing);
    }

    [Fact]
    public void A_batch_is_one_call_per_warm_up_and_sample_and_leaves_each_images_detections()
    {
        var backend = new FakeBatchingBackend("batching");
        var small = new CandidateMap([(1, 2, 1, 8f)], 0);
        for (var i = 0; i < small.Count; i++) small.Scores[i] = 0.5f;
        CandidateMap[] maps = [Map(), small];
        DetectionList[] firsts = [new(), new()];
        var samples = new double[3];
        var differing = TimedRepeats.RunBatch(backend, maps, VariantSpec.Default(VariantKind.Nms), warmUp: 2, firsts, [new(), new()], samples);

        Assert.Equal(-1, differing);
        Assert.Equal([2, 2, 2, 2, 2], backend.BatchSizes);
        Assert.Equal(0, backend.RunCalls);
        Assert.Equal(4, firsts[0].Count);
        Assert.Equal(2, firsts[1].Count);
        Assert.All(samples, s => Assert.True(s >= 0));
    }

    [Fact]
    public void The_first_batch_repeat_that_differs_for_any_image_is_reported()
    {
        var backend = new FakeBatchingBackend("jitter") { Jitter = true };
        var differing = TimedRepeats.RunBatch(backend, [Map(), Map()], VariantSpec.Default(VariantKind.Nms), warmUp: 0, [new(), new()], [new(), new()], new double[4]);
        Assert.Equal(1, differing);
    }

    private sealed class CountingBackend : EvalHarness.Backends.IPostProcessingBackend
    {
        public int Calls { get; private set; }
        public string Name => "counting";
        public string Device => "fake";
        public bool Supports(VariantKind kind) => true;

        public void Run(CandidateMap map, VariantSpec variant, DetectionList output, bool flatInput = false)
        {
            Calls++;
            output.Clear();
            for (var i = 0; i < map.Count; i++) output.AddFromMap(map, i, map.Scores[i]);
        }

        public void Dispose() { }
    }
}
