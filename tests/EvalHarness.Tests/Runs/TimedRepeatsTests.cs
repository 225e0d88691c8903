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
