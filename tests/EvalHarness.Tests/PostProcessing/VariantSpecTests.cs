using EvalHarness.IO;
using EvalHarness.PostProcessing;

namespace EvalHarness.Tests.PostProcessing;

public class VariantSpecTests
{
    [Fact]
    public void Every_default_variant_round_trips_through_its_string()
    {
        foreach (var spec in VariantRegistry.Defaults())
        {
            var text = spec.ToString();
            Assert.Equal(spec, VariantSpec.Parse(text));
        }
    }

    [Theory]
    [InlineData("gc+nms(r=1,k=2,iou=0.4)", "gc+nms(score=0.02,iou=0.4,r=1,k=2)")]
    [InlineData("gc-mag+nms", "gc-mag+nms(score=0.02,iou=0.4,r=1,k=2,mag=0.25)")]
    [InlineData("soft-nms-linear", "soft-nms-linear(score=0.02,iou=0.3)")]
    [InlineData("soft-nms-gaussian(sigma=0.25)", "soft-nms-gaussian(score=0.02,sigma=0.25)")]
    [InlineData("nms(pretopk=100,keep=10)", "nms(score=0.02,iou=0.4,pretopk=100,keep=10)")]
    [InlineData("gc(emit=acc,mag=off)", "gc(score=0.02,r=1,k=2,emit=acc)")]
    public void Parses_parameters_and_prints_the_canonical_form(string input, string canonical)
    {
        Assert.Equal(canonical, VariantSpec.Parse(input).ToString());
    }

    [Theory]
    [InlineData("nmz")]
    [InlineData("nms(iou=1.5)")]
    [InlineData("nms(iou=abc)")]
    [InlineData("nms(bogus=1)")]
    [InlineData("nms(iou=0.4")]
    [InlineData("gc(k=-1)")]
    [InlineData("nms(keep=0)")]
    public void Rejects_bad_variants_with_a_usage_error(string input)
    {
        var ex = Assert.Throws<UsageException>(() => VariantSpec.Parse(input));
        Assert.Contains(input.Split('(')[0], ex.Message);
    }

    [Fact]
    public void Caps_default_to_the_spec_on_maps_and_to_none_on_flat_lists()
    {
        var nms = VariantSpec.Default(VariantKind.Nms);
        Assert.Equal(5000, nms.EffectivePreTopK(flatInput: false));
        Assert.Equal(750, nms.EffectiveKeepTopK(flatInput: false));
        Assert.Equal(int.MaxValue, nms.EffectivePreTopK(flatInput: true));
        Assert.Equal(int.MaxValue, nms.EffectiveKeepTopK(flatInput: true));
    }
}
