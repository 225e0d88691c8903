using EvalHarness.PostProcessing;

namespace EvalHarness.Tests.PostProcessing;

public class BoxIouTests
{
    [Fact]
    public void Iou_of_half_overlapping_unit_squares_is_one_third()
    {
        // inter 1·2 = 2, union 4 + 4 − 2 = 6
        Assert.Equal(2f / 6f, BoxIou.Iou(0, 0, 2, 2, 1, 0, 3, 2));
    }

    [Fact]
    public void Identical_boxes_have_iou_one_and_disjoint_boxes_zero()
    {
        Assert.Equal(1f, BoxIou.Iou(1, 2, 5, 7, 1, 2, 5, 7));
        Assert.Equal(0f, BoxIou.Iou(0, 0, 1, 1, 2, 2, 3, 3));
        Assert.Equal(0f, BoxIou.Iou(0, 0, 1, 1, 1, 0, 2, 1)); // touching edges
    }

    [Fact]
    public void Zero_area_and_inverted_boxes_give_zero_not_nan()
    {
        Assert.Equal(0f, BoxIou.Iou(3, 3, 3, 3, 3, 3, 3, 3));
        Assert.Equal(0f, BoxIou.Area(5, 5, 1, 1));
        Assert.Equal(0f, BoxIou.Iou(5, 5, 1, 1, 5, 5, 1, 1));
        Assert.Equal(0f, BoxIou.Iou(5, 5, 1, 1, 0, 0, 10, 10));
    }

    [Fact]
    public void Iou_is_symmetric()
    {
        var a = BoxIou.Iou(0.1f, 0.3f, 7.7f, 9.1f, 2.2f, 1.9f, 8.4f, 11.3f);
        var b = BoxIou.Iou(2.2f, 1.9f, 8.4f, 11.3f, 0.1f, 0.3f, 7.7f, 9.1f);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Sort_key_orders_by_score_descending_then_flat_index()
    {
        Assert.True(SortKey.Of(0.9f, 7) < SortKey.Of(0.8f, 1));
        Assert.True(SortKey.Of(0.5f, 1) < SortKey.Of(0.5f, 2));
        Assert.True(SortKey.Of(0f, 1) < SortKey.Of(-0f, 2));
        Assert.True(SortKey.Of(-0f, 1) < SortKey.Of(0f, 2));
        Assert.True(SortKey.Of(1e-30f, 9) < SortKey.Of(0f, 0));
        Assert.True(SortKey.Of(0f, 9) < SortKey.Of(-1f, 0));
        Assert.Equal(1234, SortKey.FlatIndexOf(SortKey.Of(0.25f, 1234)));
    }

    [Fact]
    public void Peak_rule_is_strict_against_earlier_and_inclusive_against_later_neighbours()
    {
        Assert.False(PeakRule.Beats(0.5f, 0.5f, neighbourIsEarlier: true));
        Assert.True(PeakRule.Beats(0.5f, 0.5f, neighbourIsEarlier: false));
        Assert.True(PeakRule.Beats(0.6f, 0.5f, neighbourIsEarlier: true));
        Assert.False(PeakRule.Beats(0.4f, 0.5f, neighbourIsEarlier: false));
    }

    [Theory]
    [InlineData(1f, 0f, GradientDirection.Horizontal)]
    [InlineData(-1f, 0.4f, GradientDirection.Horizontal)]
    [InlineData(0f, 1f, GradientDirection.Vertical)]
    [InlineData(0.4f, -1f, GradientDirection.Vertical)]
    [InlineData(1f, 1f, GradientDirection.Diagonal)]
    [InlineData(-1f, -0.5f, GradientDirection.Diagonal)]
    [InlineData(1f, -1f, GradientDirection.AntiDiagonal)]
    [InlineData(-0.5f, 1f, GradientDirection.AntiDiagonal)]
    [InlineData(0f, 0f, GradientDirection.Flat)]
    [InlineData(5e-8f, 5e-8f, GradientDirection.Flat)]
    public void Gradient_direction_quantises_to_the_four_canny_directions(float gx, float gy, int expected)
    {
        var m = MathF.Sqrt(gx * gx + gy * gy);
        Assert.Equal(expected, GradientDirection.Of(gx, gy, m));
    }

    [Fact]
    public void Gradient_direction_boundary_at_tan_22_5_belongs_to_the_axis()
    {
        var gy = GradientDirection.TanPiOver8 * 1f;
        Assert.Equal(GradientDirection.Horizontal, GradientDirection.Of(1f, gy, MathF.Sqrt(1f + gy * gy)));
        Assert.Equal(GradientDirection.Vertical, GradientDirection.Of(gy, 1f, MathF.Sqrt(1f + gy * gy)));
    }

    [Fact]
    public void Box_filter_pass_sums_taps_in_order_with_edge_clamp()
    {
        float[] row = [1f, 0f, 0f];
        var dst = new float[3];
        BoxFilterScalar.Horizontal(row, dst, 1, 3, 1);
        Assert.Equal((1f + 1f + 0f) / 3f, dst[0]); // left tap clamps onto x = 0
        Assert.Equal((1f + 0f + 0f) / 3f, dst[1]);
        Assert.Equal(0f, dst[2]);

        float[] column = [0f, 0.9f, 0f];
        BoxFilterScalar.Vertical(column, dst, 3, 1, 1);
        Assert.Equal(((0f + 0f) + 0.9f) / 3f, dst[0]);
        Assert.Equal(((0f + 0.9f) + 0f) / 3f, dst[1]);
        Assert.Equal(((0.9f + 0f) + 0f) / 3f, dst[2]);
    }
}
