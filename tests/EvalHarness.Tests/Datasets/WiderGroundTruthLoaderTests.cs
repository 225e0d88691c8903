using EvalHarness.Datasets;
using EvalHarness.IO;
using EvalHarness.Tests.Metrics;

namespace EvalHarness.Tests.Datasets;

public sealed class WiderGroundTruthLoaderTests
{
    [Fact]
    public void Loads_the_official_counts_in_official_order()
    {
        var gt = GoldenApTests.FullGroundTruth();

        Assert.Equal(3226, gt.Images.Count);
        Assert.Equal(39708, gt.Images.Sum(i => i.Boxes.Length));
        Assert.Equal(61, gt.Images.Select(i => i.Event).Distinct().Count());
        Assert.Equal(7211, gt.Images.Sum(i => i.CountedFaces(Setting.Easy)));
        Assert.Equal(13319, gt.Images.Sum(i => i.CountedFaces(Setting.Medium)));
        Assert.Equal(31958, gt.Images.Sum(i => i.CountedFaces(Setting.Hard)));
        Assert.Equal("0_Parade_marchingband_1_465", gt.Images[0].ImageKey);
        Assert.False(gt.IsSubset);
        // Settings nest: a face counted in easy also counts in medium and hard.
        Assert.All(gt.Images.SelectMany(i => i.Counted), m => Assert.True((m & SettingMask.Easy) == 0 || (m & SettingMask.Hard) != 0));
    }

    [Fact]
    public void Finds_the_mat_files_from_the_WIDER_root_or_their_folder()
    {
        var root = TestData.WiderFaceRoot;
        var dir = Path.Combine(root, "eval_tools", "ground_truth");
        Assert.Equal(dir, WiderGroundTruthLoader.ResolveGroundTruthDir(root));
        Assert.Equal(dir, WiderGroundTruthLoader.ResolveGroundTruthDir(dir));
        Assert.Throws<UsageException>(() => WiderGroundTruthLoader.ResolveGroundTruthDir(Path.Combine(root, "wider_face_split")));
    }

    [Fact]
    public void Restricting_to_local_images_gives_the_labelled_five_event_subset()
    {
        var subset = WiderGroundTruthLoader.RestrictToLocalImages(GoldenApTests.FullGroundTruth(), TestData.WiderFaceRoot);

        Assert.True(subset.IsSubset);
        Assert.Equal(394, subset.Images.Count);
        Assert.Equal(["0--Parade", "13--Interview", "19--Couple", "20--Family_Group", "4--Dancing"], subset.Images.Select(i => i.Event).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Mat_and_text_annotations_agree_except_the_documented_width()
    {
        var text = WiderAnnotationParser.ParseFile(Path.Combine(TestData.WiderFaceRoot, "wider_face_split", "wider_face_val_bbx_gt.txt"));
        var differences = AnnotationCrossCheck.Compare(GoldenApTests.FullGroundTruth(), text);

        var only = Assert.Single(differences);
        Assert.Equal("39--Ice_Skating", only.Event);
        Assert.Equal("39_Ice_Skating_iceskiing_39_583", only.ImageKey);
        Assert.Equal(("w", "0", "-2"), (only.What, only.TextValue, only.MatValue));
        Assert.True(DatasetVerifier.IsKnownDifference(only));
    }

    [Fact]
    public void Dataset_verify_reports_the_shared_sample_as_ok()
    {
        var report = DatasetVerifier.Verify(TestData.WiderFaceRoot);

        Assert.True(report.Ok, string.Join("\n", report.Checks.Where(c => !c.Ok)));
        Assert.Contains(report.Checks, c => c.Name == "val images present" && c.Found.StartsWith("394 present in 5 event(s)"));
        Assert.Contains(report.Checks, c => c.Name == "SHA256SUMS" && c.Found.EndsWith("0 mismatched, 0 missing"));
    }
}
