using EvalHarness.Backends;
using EvalHarness.Datasets;
using EvalHarness.IO;
using EvalHarness.PostProcessing;
using EvalHarness.Sources;

namespace EvalHarness.Tests.Runs;

/// <summary>A tiny deterministic source: image i has i+1 candidates; images listed in <c>bad</c> fail to load.</summary>
internal sealed class FakeSource(int count, params int[] bad) : ICandidateSource
{
    public int Loads { get; private set; }

    public string Describe() => $"fake({count})";

    public IReadOnlyList<ImageRef> Images { get; } =
        Enumerable.Range(0, count).Select(i => new ImageRef("0--Fake", $"img_{i}", null, 100, 100)).ToList();

    public GroundTruth GroundTruth => new()
    {
        Source = "fake",
        Images = Images.Select(i => new GroundTruthImage { Event = i.Event, ImageKey = i.ImageKey, Boxes = [], Counted = [] }).ToList(),
    };

    public void Load(int index, CandidateMap map, CancellationToken cancellationToken = default)
    {
        Loads++;
        if (bad.Contains(index)) throw new DataFormatException($"img_{index}.jpg", 0, "corrupt JPEG");
        map.Reset([(1, index + 1, 1, 1f)]);
        map.Event = Images[index].Event;
        map.ImageKey = Images[index].ImageKey;
        for (var i = 0; i < map.Count; i++) map.Set(i, 0.5f + (0.01f * i), i, i, i + 10, i + 10);
    }

    public void Dispose() { }
}

/// <summary>Keeps every candidate; can be told to fail, to be non-deterministic, or to lack variants.</summary>
internal sealed class FakeBackend(string name) : IPostProcessingBackend
{
    public int FailAfterCalls { get; init; } = int.MaxValue;
    public bool Jitter { get; init; }
    public VariantKind[] Lacks { get; init; } = [];
    private int _calls;

    public string Name => name;
    public string Device => "fake";
    public bool Supports(VariantKind kind) => !Lacks.Contains(kind);

    public void Run(CandidateMap map, VariantSpec variant, DetectionList output, bool flatInput = false)
    {
        if (++_calls > FailAfterCalls) throw new EvalHarnessException("device lost");
        output.Clear();
        for (var i = 0; i < map.Count; i++) output.AddFromMap(map, i, map.Scores[i] + (Jitter ? _calls * 1e-3f : 0f));
    }

    public void Dispose() { }
}

/// <summary>
/// Prefers batches like the GPU: records the size of every <see cref="RunBatch"/> call, takes at
/// least <see cref="BatchDelay"/> per batch call, and can be told to fault or to be non-deterministic.
/// </summary>
internal sealed class FakeBatchingBackend(string name) : IPostProcessingBackend
{
    public int FailAfterBatchCalls { get; init; } = int.MaxValue;
    public bool Jitter { get; init; }
    public TimeSpan BatchDelay { get; init; }
    public List<int> BatchSizes { get; } = [];
    public int RunCalls { get; private set; }

    public string Name => name;
    public string Device => "fake batching device";
    public bool PrefersBatches => true;
    public bool Supports(VariantKind kind) => true;

    public void Run(CandidateMap map, VariantSpec variant, DetectionList output, bool flatInput = false)
    {
        RunCalls++;
        Keep(map, output, 0f);
    }

    public void RunBatch(IReadOnlyList<CandidateMap> maps, VariantSpec variant, IReadOnlyList<DetectionList> outputs)
    {
        BatchSizes.Add(maps.Count);
        if (BatchSizes.Count > FailAfterBatchCalls) throw new EvalHarnessException("device lost");
        if (BatchDelay > TimeSpan.Zero) Thread.Sleep(BatchDelay);
        for (var i = 0; i < maps.Count; i++) Keep(maps[i], outputs[i], Jitter ? BatchSizes.Count * 1e-3f : 0f);
    }

    private static void Keep(CandidateMap map, DetectionList output, float shift)
    {
        output.Clear();
        for (var i = 0; i < map.Count; i++) output.AddFromMap(map, i, map.Scores[i] + shift);
    }

    public void Dispose() { }
}
