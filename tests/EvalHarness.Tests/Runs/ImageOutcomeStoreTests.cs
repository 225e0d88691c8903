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
