using EvalHarness.Runs;
using EvalHarness.Sources;

namespace EvalHarness.Tests.Runs;

public sealed class ImageOutcomeStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eh-store-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ImageOutcome Sample(int index) => new()
    {
        ImageIndex = index,
        Event = "0--Parade",
        ImageKey = "0_Parade_marchingband_1_5",
        CandidateCount = 1234,
        Stages = new StageTimings(1.5, 2.25, 0.125),
        Cells =
        [
            new CellOutcome { Status = CellStatus.Ok, Detections = [1f, 2f, 3f, 4f, 0.5f], FlatIndex = [16807], SamplesMs = [0.1, 0.2] },
            new CellOutcome { Status = CellStatus.NotAvailable, Message = "no GPU" },
        ],
    };

    [Fact]
    public void Round_trips_an_outcome()
    {
        var store = new ImageOutcomeStore(_dir, planHash: 42);
        store.Save(Sample(7));
        var loaded = store.TryLoad(7, null, out var problem);

        Assert.Null(problem);
        Assert.NotNull(loaded);
        Assert.Equal("0_Parade_marchingband_1_5", loaded.ImageKey);
        Assert.Equal(new StageTimings(1.5, 2.25, 0.125), loaded.Stages);
        Assert.Equal([1f, 2f, 3f, 4f, 0.5f], loaded.Cells[0].Detections);
        Assert.Equal([16807], loaded.Cells[0].FlatIndex);
        Assert.Equal([0.1, 0.2], loaded.Cells[0].SamplesMs);
        Assert.Equal("no GPU", loaded.Cells[1].Message);
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "images"), "*.tmp"));
    }

    [Fact]
    public void Another_plan_never_reuses_the_file()
    {
        new ImageOutcomeStore(_dir, planHash: 1).Save(Sample(0));
        Assert.Null(new ImageOutcomeStore(_dir, planHash: 2).TryLoad(0, null, out var problem));
        Assert.Contains("other parameters", problem);
    }

    [Fact]
    public void Outcomes_timed_on_another_machine_are_not_resumed_and_the_cause_is_said_once()
    {
        var here = new TimingMachine("AMD EPYC (AuthenticAMD family 26 model 2 stepping 1)", ["scalar", "AVX-512 (Vector512)"]);
        var narrower = here with { Devices = ["scalar", "AVX2 (Vector256)"] };
        var otherCpu = here with { Cpu = "AMD EPYC (AuthenticAMD family 25 model 17 stepping 1)" };
        var writer = new ImageOutcomeStore(_dir, planHash: 5, here);
        writer.Save(Sample(0));
        writer.Save(Sample(1));

        var resumedOnNarrower = new ImageOutcomeStore(_dir, planHash: 5, narrower);
        Assert.Null(resumedOnNarrower.TryLoad(0, null, out var first));
        Assert.Contains("timed on another machine or device", first);
        Assert.Contains("AVX2 (Vector256)", first);
        Assert.Null(resumedOnNarrower.TryLoad(1, null, out var second));
        Assert.Null(second); // said once for the whole attempt

        Assert.Null(new ImageOutcomeStore(_dir, planHash: 5, otherCpu).TryLoad(0, null, out var cpuProblem));
        Assert.Contains("family 25", cpuProblem);
        // the same machine resumes; a reader without a machine (merge) takes any
        Assert.NotNull(new ImageOutcomeStore(_dir, planHash: 5, here with { Devices = ["scalar", "AVX-512 (Vector512)"] }).TryLoad(1, null, out var same));
        Assert.Null(same);
        Assert.NotNull(new ImageOutcomeStore(_dir, planHash: 5).TryLoad(1, null, out var merged));
        Assert.Null(merged);
        // the plan still comes first
        Assert.Null(new ImageOutcomeStore(_dir, planHash: 6, here).TryLoad(0, null, out var otherPlan));
        Assert.Contains("other parameters", otherPlan);
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    [InlineData("empty")]
    public void A_damaged_file_is_reported_and_not_used(string damage)
    {
        var store = new ImageOutcomeStore(_dir, planHash: 9);
        store.Save(Sample(3));
        var path = store.PathOf(3);
        var bytes = File.ReadAllBytes(path);
        bytes = damage switch
        {
            "flip" => FlipLast(bytes),
            "truncate" => bytes[..(bytes.Length / 2)],
            _ => [],
        };
        File.WriteAllBytes(path, bytes);

        Assert.Null(store.TryLoad(3, null, out var problem));
        Assert.Contains(path, problem);
    }

    private static byte[] FlipLast(byte[] bytes)
    {
        bytes[^1] ^= 0xFF;
        return bytes;
    }
}
