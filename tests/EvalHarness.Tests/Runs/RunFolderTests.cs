using EvalHarness.Datasets;
using EvalHarness.IO;
using EvalHarness.Runs;

namespace EvalHarness.Tests.Runs;

/// <summary>
/// Run folders are claimed exclusively, owned by one live process at a time, found again for
/// resume only when nobody owns them and they are unfinished, and bound to their image list.
/// </summary>
public sealed class RunFolderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eh-folder-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static RunManifest Manifest(string fingerprint) => new()
    {
        Suite = "s",
        SuiteJson = "{}",
        PlanHash = fingerprint,
        Source = "synthetic",
        Images = 1,
    };

    [Fact]
    public void Two_runs_of_one_suite_in_the_same_second_get_two_folders_even_after_the_first_ended()
    {
        var now = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        string first;
        using (var a = RunFolder.CreateNew(_dir, "s", null, now))
        using (var b = RunFolder.CreateNew(_dir, "s", null, now))
        {
            Assert.NotEqual(a.Path, b.Path);
            first = a.Path;
        }
        using var c = RunFolder.CreateNew(_dir, "s", null, now);
        Assert.NotEqual(first, c.Path);
        Assert.Equal(3, Directory.GetDirectories(_dir).Length);
    }

    [Fact]
    public void Writing_a_folder_another_run_owns_is_refused_with_the_owner_named()
    {
        var dir = Path.Combine(_dir, "out");
        using (var owner = RunFolder.OpenForWriting(dir))
        {
            owner.WriteManifest(Manifest("f"));
            var ex = Assert.Throws<UsageException>(() => RunFolder.OpenForWriting(dir));
            Assert.Contains($"process {Environment.ProcessId} on {Environment.MachineName}", ex.Message);
            Assert.Contains(dir, ex.Message);
        }
        using var after = RunFolder.OpenForWriting(dir); // released with its owner
    }

    [Fact]
    public void Resume_skips_owned_finished_and_foreign_folders_and_takes_the_newest_free_unfinished_one()
    {
        var older = RunFolder.CreateNew(_dir, "s", null, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        older.WriteManifest(Manifest("f"));
        older.Dispose();
        using var live = RunFolder.CreateNew(_dir, "s", null, new DateTime(2026, 1, 1, 0, 0, 2, DateTimeKind.Utc));
        live.WriteManifest(Manifest("f"));
        using (var finished = RunFolder.CreateNew(_dir, "s", null, new DateTime(2026, 1, 1, 0, 0, 3, DateTimeKind.Utc)))
        {
            finished.WriteManifest(Manifest("f"));
            finished.MarkComplete(1);
        }
        using (var other = RunFolder.CreateNew(_dir, "s", null, new DateTime(2026, 1, 1, 0, 0, 4, DateTimeKind.Utc)))
        {
            other.WriteManifest(Manifest("other-fingerprint"));
        }

        using var resumed = RunFolder.ClaimResumable(_dir, "s", "f", null);
        Assert.NotNull(resumed);
        Assert.Equal(older.Path, resumed.Path);
        Assert.Null(RunFolder.ClaimResumable(_dir, "s", "f", null)); // the only free one is now ours
    }

    [Fact]
    public void Output_paths_that_are_files_are_refused_by_name()
    {
        var file = Path.Combine(_dir, "file");
        File.WriteAllText(file, "x");
        Assert.Contains("is a file", Assert.Throws<UsageException>(() => RunFolder.OpenForWriting(file)).Message);
        Assert.Contains("is a file", Assert.Throws<UsageException>(() => RunFolder.CreateNew(file, "s", null, DateTime.UtcNow)).Message);
    }

    [Fact]
    public void The_fingerprint_covers_the_image_list_and_a_stored_outcome_must_hold_the_image_now_at_its_index()
    {
        ImageRef Image(string key) => new("e", key, null, 10, 10);
        var before = RunFolder.ImageListHash([Image("a"), Image("b")]);
        var after = RunFolder.ImageListHash([Image("b"), Image("c")]);
        Assert.NotEqual(before, after);
        var plan = new RunPlan { Variants = [EvalHarness.PostProcessing.VariantSpec.Parse("nms")], Backends = ["scalar"] };
        Assert.NotEqual(plan.Hash("src", before), plan.Hash("src", after));

        var store = new ImageOutcomeStore(_dir, 1);
        store.Save(new ImageOutcome { ImageIndex = 0, Event = "e", ImageKey = "a", Cells = [] });
        Assert.NotNull(store.TryLoad(0, Image("a"), out _));
        Assert.Null(store.TryLoad(0, Image("b"), out var problem));
        Assert.Contains("holds e/a, but image 0 is now e/b", problem);
    }

    [Fact]
    public void A_folder_without_its_completion_marker_is_refused_as_input()
    {
        var dir = Path.Combine(_dir, "run");
        using (var folder = RunFolder.OpenForWriting(dir)) folder.WriteManifest(Manifest("f"));
        Assert.Contains("incomplete run", Assert.Throws<UsageException>(() => RunFolder.RequireCompleteIfRunFolder(dir)).Message);
        using (var owned = RunFolder.OpenForWriting(dir))
        {
            Assert.Contains("still in progress", Assert.Throws<UsageException>(() => RunFolder.RequireCompleteIfRunFolder(dir)).Message);
            owned.MarkComplete(1);
        }
        RunFolder.RequireCompleteIfRunFolder(dir);
        RunFolder.RequireCompleteIfRunFolder(_dir); // bare result files (a baseline) have no manifest
    }
}
