using System.Diagnostics;
using EvalHarness.Detectors.Cache;
using EvalHarness.Detectors.Synthetic;
using EvalHarness.IO;
using EvalHarness.Runs;

namespace EvalHarness.Tests.Reliability;

/// <summary>A killed writer leaves <c>.NAME.PID.GUID.tmp</c> behind; the next run removes those of dead writers only.</summary>
public sealed class StaleTemporaryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eh-stale-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static int DeadProcessId()
    {
        using var process = Process.Start(new ProcessStartInfo("dotnet", "--version") { RedirectStandardOutput = true, UseShellExecute = false })!;
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.Id;
    }

    private static string Temp(string dir, string name, int pid)
    {
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, $".{name}.{pid}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(path, [1, 2, 3]);
        return path;
    }

    [Theory]
    [InlineData(".000012.bin.4242.0123456789abcdef0123456789abcdef.tmp", 4242)]
    [InlineData(".a.b.c.csv.7.0123456789abcdef0123456789abcdef.tmp", 7)]
    [InlineData(".x.tmp", null)]
    [InlineData(".000012.bin.notapid.0123456789abcdef0123456789abcdef.tmp", null)]
    [InlineData(".000012.bin.12.not-a-guid.tmp", null)]
    [InlineData("000012.bin.12.0123456789abcdef0123456789abcdef.tmp", null)]
    [InlineData(".gitignore", null)]
    public void Only_names_atomic_file_writes_are_recognised(string name, int? pid) => Assert.Equal(pid, AtomicFile.WriterOf(name));

    [Fact]
    public void A_written_temporary_name_round_trips_through_the_parser()
    {
        // The name AtomicFile really uses, caught by a body that looks for its own temporary.
        string? tempName = null;
        AtomicFile.Write(Path.Combine(_dir, "x.bin"), _ => tempName = Path.GetFileName(Assert.Single(Directory.GetFiles(_dir, ".x.bin.*"))));
        Assert.Equal(Environment.ProcessId, AtomicFile.WriterOf(tempName!));
    }

    [Fact]
    public void Temporaries_of_dead_writers_go_and_everything_else_stays()
    {
        var dead = DeadProcessId();
        var stale = Temp(_dir, "000001.bin", dead);
        var mine = Temp(_dir, "000002.bin", Environment.ProcessId);
        var staleNested = Temp(Path.Combine(_dir, "sub"), "k.ehc", dead);
        var other = Path.Combine(_dir, ".keep.tmp");
        File.WriteAllText(other, "not ours");

        Assert.Equal(1, AtomicFile.RemoveStaleTemporaries(_dir));
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(mine));
        Assert.True(File.Exists(staleNested));
        Assert.True(File.Exists(other));

        Assert.Equal(0, AtomicFile.RemoveStaleTemporaries(_dir, recursive: true, minimumAge: TimeSpan.FromMinutes(10)));
        Assert.True(File.Exists(staleNested), "too fresh to be called stale under an age bound");
        Assert.Equal(1, AtomicFile.RemoveStaleTemporaries(_dir, recursive: true));
        Assert.False(File.Exists(staleNested));
        Assert.Equal(0, AtomicFile.RemoveStaleTemporaries(Path.Combine(_dir, "missing")));
    }

    [Fact]
    public void Opening_an_image_outcome_store_removes_stale_temporaries()
    {
        var dead = DeadProcessId();
        var inImages = Temp(Path.Combine(_dir, "images"), "000003.bin", dead);
        var inRun = Temp(_dir, "summary.csv", dead);
        _ = new ImageOutcomeStore(_dir, planHash: 1);
        Assert.False(File.Exists(inImages));
        Assert.False(File.Exists(inRun));
    }

    [Fact]
    public void Opening_a_candidate_cache_removes_stale_temporaries_in_its_event_folders()
    {
        var dead = DeadProcessId();
        var cacheDir = Path.Combine(_dir, "cache");
        var stale = Temp(Path.Combine(cacheDir, "0--Parade"), "img.ehc", dead);
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddHours(-1));
        // Fresh: it could be another machine's write in progress (its pid means nothing here).
        var fresh = Temp(Path.Combine(cacheDir, "0--Parade"), "other.ehc", dead);
        using var source = new CachedCandidateSource(new SyntheticCandidateSource(3, 2), cacheDir);
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(fresh));
    }
}
