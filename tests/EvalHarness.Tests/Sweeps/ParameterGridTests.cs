using EvalHarness.IO;
using EvalHarness.PostProcessing;
using EvalHarness.Sweeps;

namespace EvalHarness.Tests.Sweeps;

public sealed class ParameterGridTests
{
    [Fact]
    public void A_grid_expands_to_the_cartesian_product_labelled_by_canonical_specs()
    {
        var grid = VariantGrid.Parse("gc+nms(r=[1,2,3],k=[1,2,3],score=[0.02,0.05,0.1])");
        Assert.Equal(27, grid.Count);
        var configs = grid.Expand();
        Assert.Equal(27, configs.Count);
        Assert.Equal(27, configs.Select(c => c.ToString()).Distinct().Count());
        // The last written list varies fastest.
        Assert.Equal("gc+nms(score=0.02,iou=0.4,r=1,k=1)", configs[0].ToString());
        Assert.Equal("gc+nms(score=0.05,iou=0.4,r=1,k=1)", configs[1].ToString());
        Assert.Equal("gc+nms(score=0.1,iou=0.4,r=1,k=1)", configs[2].ToString());
        Assert.Equal("gc+nms(score=0.02,iou=0.4,r=1,k=2)", configs[3].ToString());
        Assert.Equal("gc+nms(score=0.1,iou=0.4,r=3,k=3)", configs[26].ToString());
        Assert.Equal(["r", "k", "score"], grid.Axes.Select(a => a.Key));
    }

    [Fact]
    public void Fixed_parameters_and_aliases_apply_to_every_configuration()
    {
        var configs = VariantGrid.Parse("nms(ts=0.05, tiou=[0.3,0.35,0.4,0.45,0.5,0.6])").Expand();
        Assert.Equal(6, configs.Count);
        Assert.All(configs, c => Assert.Equal(0.05f, c.ScoreThreshold));
        Assert.Equal("nms(score=0.05,iou=0.35)", configs[1].ToString());
        Assert.Equal(3, VariantGrid.Parse("soft-nms-gaussian(sigma=[0.3,0.5,0.7])").Count);
    }

    [Fact]
    public void A_plain_variant_is_one_configuration_and_the_suite_concatenates_grids()
    {
        var expansion = GridExpansion.Expand(["nms", "nms(iou=[0.3,0.5])", "gc+nms(r=[1,2],k=[1,2])"]);
        Assert.Equal(7, expansion.Configurations.Count);
        Assert.Equal([0, 1, 1, 2, 2, 2, 2], expansion.GridOfConfiguration);
        Assert.True(expansion.HasLists);
        Assert.False(GridExpansion.Expand(["nms", "gc+nms(r=2)"]).HasLists);
    }

    [Theory]
    [InlineData("nms(iou=[])", "nms", "'iou' has an empty list")]
    [InlineData("nms(sigma=[0.3,0.5])", "nms", "'sigma' does not apply to nms")]
    [InlineData("soft-nms-gaussian(iou=[0.3,0.5])", "soft-nms-gaussian", "'iou' does not apply")]
    [InlineData("gc+nms(r=[1,-1])", "gc+nms", "r must be in 0..64")]
    [InlineData("gc+nms(k=[1,17])", "gc+nms", "k must be in 0..16")]
    [InlineData("nms(iou=[0.4,1.5])", "nms", "iou must be in [0, 1]")]
    [InlineData("soft-nms-gaussian(sigma=[0.5,0])", "soft-nms-gaussian", "sigma must be a positive")]
    [InlineData("nms(score=[0.1,x])", "nms", "'score' has a bad value 'x'")]
    [InlineData("nms(iou=[0.3,0.3])", "nms", "'iou' lists 0.3 twice")]
    [InlineData("nms(iou=[0.3,0.30])", "nms", "twice")]
    [InlineData("nms(iou=[0.3,,0.4])", "nms", "empty value")]
    [InlineData("nms(iou=[0.3,0.4)", "nms", "missing ']'")]
    [InlineData("nms(iou=0.3,iou=[0.4])", "nms", "'iou' is given twice")]
    [InlineData("nms(bogus=[1,2])", "nms", "unknown parameter 'bogus'")]
    [InlineData("nmx(iou=[0.3])", "nmx", "unknown variant")]
    public void Every_refusal_names_the_variant_and_the_parameter(string text, string variant, string problem)
    {
        var ex = Assert.Throws<UsageException>(() => GridExpansion.Expand([text]));
        Assert.Contains(variant, ex.Message, StringComparison.Ordinal);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void More_configurations_than_maxConfigs_is_refused_before_expanding()
    {
        var ex = Assert.Throws<UsageException>(() => GridExpansion.Expand(["gc+nms(r=[1,2,3],k=[1,2,3],score=[0.02,0.05,0.1])", "nms"], maxConfigs: 27));
        Assert.Contains("28 configurations, more than maxConfigs 27", ex.Message, StringComparison.Ordinal);
        Assert.Contains("gc+nms(r=[1,2,3]", ex.Message, StringComparison.Ordinal);
        Assert.Equal(28, GridExpansion.Expand(["gc+nms(r=[1,2,3],k=[1,2,3],score=[0.02,0.05,0.1])", "nms"], maxConfigs: 28).Configurations.Count);
        // The default (500) refuses a product that would be huge, without building it.
        var huge = Assert.Throws<UsageException>(() => GridExpansion.Expand(["gc+nms(r=[0,1,2,3,4,5,6,7,8,9],k=[0,1,2,3,4,5,6,7,8,9],score=[0.1,0.2,0.3,0.4,0.5,0.6])"]));
        Assert.Contains("600 configurations, more than maxConfigs 500", huge.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_configuration_listed_by_two_entries_is_refused()
    {
        var ex = Assert.Throws<UsageException>(() => GridExpansion.Expand(["nms(iou=0.4)", "nms(iou=[0.3,0.4])"]));
        Assert.Contains("nms(score=0.02,iou=0.4) is listed twice", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Canonical_labels_parse_back_to_the_same_configuration()
    {
        foreach (var spec in GridExpansion.Expand(["gc-mag+nms(mag=[0.1,0.25],r=[1,2])", "soft-nms-linear(iou=[0.3,0.5])", "peak3x3+nms(score=[0.02,0.1])"]).Configurations)
        {
            Assert.Equal(spec, VariantSpec.Parse(spec.ToString()));
        }
    }
}
