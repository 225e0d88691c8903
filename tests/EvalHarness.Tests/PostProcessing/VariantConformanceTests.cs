using EvalHarness.Backends;
using EvalHarness.PostProcessing;

namespace EvalHarness.Tests.PostProcessing;

/// <summary>
/// Hand-worked cases that pin down every variant of the spec. Each backend runs them through a
/// subclass that only says how to create the backend (scalar, SIMD at each width, GPU).
/// </summary>
public abstract class VariantConformanceTests
{
    protected abstract IPostProcessingBackend CreateBackend();

    private DetectionList Run(CandidateMap map, string variant, bool flatInput = false)
    {
        using var backend = CreateBackend();
        var output = new DetectionList(4);
        backend.Run(map, VariantSpec.Parse(variant), output, flatInput);
        return output;
    }

    private static int[] Flat(DetectionList list) => list.FlatIndex.ToArray();

    // A(0,0,10,10) and B(3,0,13,10): IoU 70/130 ≈ 0.538; A and C(6,0,16,10): 40/160 = 0.25; B and C: 0.538.
    private static readonly (float, float, float, float, float) A = (0, 0, 10, 10, 0.9f);
    private static readonly (float, float, float, float, float) B = (3, 0, 13, 10, 0.8f);
    private static readonly (float, float, float, float, float) C = (6, 0, 16, 10, 0.7f);
    private static readonly float IouAB = 70f / 130f;

    [Fact]
    public void Nms_keeps_in_score_order_and_suppresses_above_the_threshold()
    {
        var far = (100f, 100f, 110f, 110f, 0.95f);
        var result = Run(TestMaps.Flat(A, B, C, far), "nms", flatInput: true);
        Assert.Equal([3, 0, 2], Flat(result)); // B suppressed by A; C (IoU 0.25 with A) kept
        Assert.Equal([0.95f, 0.9f, 0.7f], result.Score.ToArray());
        Assert.Equal(6f, result.X1[2]);
    }

    [Fact]
    public void Equal_scores_are_taken_in_flat_index_order()
    {
        // Two identical boxes with equal scores: the smaller flat index is kept.
        var result = Run(TestMaps.Flat((0, 0, 10, 10, 0.5f), (50, 0, 60, 10, 0.5f), (0, 0, 10, 10, 0.5f)), "nms", flatInput: true);
        Assert.Equal([0, 1], Flat(result));
    }

    [Fact]
    public void Score_threshold_is_inclusive_and_caps_apply()
    {
        var map = TestMaps.Flat((0, 0, 1, 1, 0.02f), (10, 0, 11, 1, 0.0199999f), (20, 0, 21, 1, 0.5f), (30, 0, 31, 1, 0.4f));
        Assert.Equal([2, 3, 0], Flat(Run(map, "nms", flatInput: true)));
        Assert.Equal([2, 3], Flat(Run(map, "nms(pretopk=2)", flatInput: true)));
        Assert.Equal([2], Flat(Run(map, "nms(keep=1)", flatInput: true)));
    }

    [Fact]
    public void Dense_maps_default_to_keep_750()
    {
        var scores = new float[40 * 40];
        for (var i = 0; i < scores.Length; i++) scores[i] = 0.5f + i * 1e-5f;
        var result = Run(TestMaps.Grid(40, 40, scores), "nms");
        Assert.Equal(750, result.Count);
        Assert.Equal(scores.Length - 1, result.FlatIndex[0]);
    }

    [Fact]
    public void Fast_nms_lets_a_suppressed_box_suppress()
    {
        // Greedy keeps C because its only overlap above 0.4 is with B, which A suppressed;
        // Fast NMS suppresses C through B all the same.
        Assert.Equal([0, 2], Flat(Run(TestMaps.Flat(A, B, C), "nms", flatInput: true)));
        Assert.Equal([0], Flat(Run(TestMaps.Flat(A, B, C), "fast-nms", flatInput: true)));
    }

    [Fact]
    public void Soft_nms_linear_decays_overlaps_above_the_threshold_and_reorders()
    {
        var far = (100f, 100f, 110f, 110f, 0.5f);
        var result = Run(TestMaps.Flat(A, B, far), "soft-nms-linear", flatInput: true);
        var decayedB = 0.8f * (1f - IouAB); // ≈ 0.369 < 0.5, so the far box comes second
        Assert.Equal([0, 2, 1], Flat(result));
        Assert.Equal([0.9f, 0.5f, decayedB], result.Score.ToArray());
    }

    [Fact]
    public void Soft_nms_drops_scores_decayed_below_the_score_threshold_and_respects_keep()
    {
        var far = (100f, 100f, 110f, 110f, 0.5f);
        Assert.Equal([0, 2], Flat(Run(TestMaps.Flat(A, B, far), "soft-nms-linear(score=0.4)", flatInput: true)));
        Assert.Equal([0, 2], Flat(Run(TestMaps.Flat(A, B, far), "soft-nms-linear(keep=2)", flatInput: true)));
        // IoU 0.25 is not above τiou 0.3: C keeps its score.
        var result = Run(TestMaps.Flat(A, C), "soft-nms-linear", flatInput: true);
        Assert.Equal([0.9f, 0.7f], result.Score.ToArray());
    }

    [Fact]
    public void Soft_nms_decays_accumulate_over_several_takes()
    {
        // A decays B (IoU 0.538) and C (0.25 ≤ 0.3: no decay); then C is taken and decays B again.
        var result = Run(TestMaps.Flat(A, B, C), "soft-nms-linear", flatInput: true);
        var afterA = 0.8f * (1f - IouAB);
        var afterC = afterA * (1f - IouAB);
        Assert.Equal([0, 2, 1], Flat(result));
        Assert.Equal(afterC, result.Score[2]);
    }

    [Fact]
    public void Soft_nms_gaussian_decays_every_overlap()
    {
        var low = (100f, 100f, 110f, 110f, 0.4f);
        var result = Run(TestMaps.Flat(A, B, low), "soft-nms-gaussian", flatInput: true);
        var decayedB = 0.8f * MathF.Exp(-(IouAB * IouAB) / 0.5f); // ≈ 0.448 > 0.4
        Assert.Equal([0, 1, 2], Flat(result));
        Assert.Equal([0.9f, decayedB, 0.4f], result.Score.ToArray());

        // C (IoU 0.25 with A, below any τiou) still decays under the gaussian rule.
        var withC = Run(TestMaps.Flat(A, C), "soft-nms-gaussian", flatInput: true);
        Assert.Equal(0.7f * MathF.Exp(-(0.25f * 0.25f) / 0.5f), withC.Score[1]);
    }

    [Fact]
    public void Weighted_nms_blends_the_cluster_with_the_top_score()
    {
        // A(0,0,10,10,0.9) and D(2,2,12,12,0.6): IoU 64/136 ≈ 0.47 > 0.3 → one cluster.
        var d = (2f, 2f, 12f, 12f, 0.6f);
        var far = (100f, 100f, 110f, 110f, 0.5f);
        var result = Run(TestMaps.Flat(far, A, d), "weighted-nms", flatInput: true);
        Assert.Equal([1, 0], Flat(result));
        Assert.Equal([0.9f, 0.5f], result.Score.ToArray());
        var w = 0.9f + 0.6f;
        Assert.Equal((0.9f * 0f + 0.6f * 2f) / w, result.X1[0]);
        Assert.Equal((0.9f * 0f + 0.6f * 2f) / w, result.Y1[0]);
        Assert.Equal((0.9f * 10f + 0.6f * 12f) / w, result.X2[0]);
        Assert.Equal((0.9f * 10f + 0.6f * 12f) / w, result.Y2[0]);
        Assert.Equal(100f, result.X1[1]);
    }

    [Fact]
    public void Weighted_nms_keeps_boxes_at_or_below_the_threshold_out_of_the_cluster()
    {
        var result = Run(TestMaps.Flat(A, C), "weighted-nms", flatInput: true); // IoU 0.25 ≤ 0.3
        Assert.Equal([0, 1], Flat(result));
        Assert.Equal(0f, result.X1[0]);
        Assert.Equal(10f, result.X2[0]);
    }

    [Fact]
    public void Peak3x3_yields_one_peak_per_plateau_the_first_in_flat_order()
    {
        float[] s =
        [
            0.1f, 0.5f, 0.1f, 0.1f,
            0.1f, 0.5f, 0.5f, 0.1f,
            0.1f, 0.1f, 0.1f, 0.7f,
        ];
        // The 0.5 plateau {(0,1), (1,1), (1,2)} gives (0,1) only; (2,3) is a corner peak.
        var result = Run(TestMaps.Grid(3, 4, s), "peak3x3");
        Assert.Equal([1, 11], Flat(result));
        Assert.Equal([0.5f, 0.7f], result.Score.ToArray());
    }

    [Fact]
    public void Peak3x3_emits_the_arg_max_anchor_lowest_on_ties_and_keeps_scores_at_the_threshold()
    {
        var map = new CandidateMap([(1, 2, 3, 8f)]);
        // cell 0: anchors 0.3, 0.6, 0.6 → a* = 1; cell 1: 0.02 exactly (the threshold) → kept? it is a
        // peak only if ≥ its earlier neighbour (0.6) strictly: no.
        map.Set(0, 0.3f, 0, 0, 1, 1);
        map.Set(1, 0.6f, 1, 1, 2, 2);
        map.Set(2, 0.6f, 2, 2, 3, 3);
        map.Set(3, 0.02f, 3, 3, 4, 4);
        var result = Run(map, "peak3x3");
        Assert.Equal([1], Flat(result));
        Assert.Equal(1f, result.X1[0]);

        var single = TestMaps.Grid(1, 1, [0.02f]);
        Assert.Equal([0], Flat(Run(single, "peak3x3")));
        Assert.Empty(Flat(Run(TestMaps.Grid(1, 1, [0.0199f]), "peak3x3")));
    }

    [Fact]
    public void Peak3x3_nms_suppresses_overlapping_peaks_across_levels()
    {
        var map = new CandidateMap([(1, 1, 1, 8f), (1, 1, 1, 16f)]);
        map.Set(0, 0.6f, 0, 0, 10, 10);
        map.Set(1, 0.8f, 1, 0, 11, 10); // IoU 0.818 with the first
        Assert.Equal([0, 1], Flat(Run(map, "peak3x3")));
        Assert.Equal([1], Flat(Run(map, "peak3x3+nms")));
    }

    [Fact]
    public void Gc_vertical_gradient_keeps_a_whole_horizontal_ridge()
    {
        float[] s =
        [
            0.1f, 0.1f, 0.1f,
            0.8f, 0.8f, 0.8f,
            0.3f, 0.3f, 0.3f,
        ];
        // On the ridge gx = 0, gy = 0.1: each ridge cell is compared only with the cells above and
        // below, so all three survive (peak3x3 keeps only the plateau's first cell).
        Assert.Equal([3, 4, 5], Flat(Run(TestMaps.Grid(3, 3, s), "gc(k=0)")));
        Assert.Equal([3], Flat(Run(TestMaps.Grid(3, 3, s), "peak3x3")));
    }

    [Fact]
    public void Gc_horizontal_gradient_keeps_a_whole_vertical_ridge()
    {
        float[] s =
        [
            0.1f, 0.8f, 0.3f,
            0.1f, 0.8f, 0.3f,
            0.1f, 0.8f, 0.3f,
        ];
        Assert.Equal([1, 4, 7], Flat(Run(TestMaps.Grid(3, 3, s), "gc(k=0)")));
    }

    [Fact]
    public void Gc_diagonal_gradients_compare_along_the_diagonals()
    {
        float[] s =
        [
            0.1f, 0.2f, 0.8f,
            0.2f, 0.8f, 0.4f,
            0.8f, 0.4f, 0.3f,
        ];
        // (1,1): gx = gy = 0.1 → diagonal, beats (0,0) and (2,2): kept although (0,2) = 0.8 precedes it.
        // (0,2): gx = 0.3, gy = −0.2 → anti-diagonal, (−1,3) is outside and (1,1) = 0.8 is later: kept.
        // (2,0): gx = −0.2, gy = 0.3 → anti-diagonal, the earlier (1,1) = 0.8 is not strictly smaller: dropped.
        // (1,2): gx = −0.2, gy = −0.25 → diagonal, (0,1) = 0.2 earlier and (2,3) outside: kept.
        // (2,1): gx = −0.25, gy = −0.2 → diagonal, (1,0) = 0.2 earlier and (3,2) outside: kept.
        // The rest lose against a larger neighbour along their diagonal.
        Assert.Equal([2, 4, 5, 7], Flat(Run(TestMaps.Grid(3, 3, s), "gc(k=0)")));
    }

    [Fact]
    public void Gc_flat_gradient_falls_back_to_the_8_neighbour_test()
    {
        // m = 0 everywhere: each cell takes the plateau rule, so only the first survives.
        var plateau = Enumerable.Repeat(0.5f, 9).ToArray();
        Assert.Equal([0], Flat(Run(TestMaps.Grid(3, 3, plateau), "gc(k=0)")));
        Assert.Equal([0], Flat(Run(TestMaps.Grid(3, 3, plateau), "gc")));

        // An isolated centre has gx = gy = 0 by symmetry: flat, and it beats all 8 neighbours.
        float[] impulse = [0, 0, 0, 0, 0.9f, 0, 0, 0, 0];
        Assert.Equal([4], Flat(Run(TestMaps.Grid(3, 3, impulse), "gc(k=0)")));
    }

    [Fact]
    public void Gc_magnitude_bound_drops_steep_cells()
    {
        float[] s =
        [
            0.1f, 0.1f, 0.1f,
            0.8f, 0.8f, 0.8f,
            0.7f, 0.7f, 0.7f,
        ];
        // Ridge cells: gy = (0.7 − 0.1)/2 = 0.3, m / S̃ = 0.375.
        Assert.Equal([3, 4, 5], Flat(Run(TestMaps.Grid(3, 3, s), "gc(k=0)")));
        Assert.Equal([3, 4, 5], Flat(Run(TestMaps.Grid(3, 3, s), "gc(k=0,mag=0.4)")));
        Assert.Empty(Flat(Run(TestMaps.Grid(3, 3, s), "gc(k=0,mag=0.25)")));
    }

    [Fact]
    public void Gc_accumulates_with_the_box_filter_and_can_emit_either_score()
    {
        float[] impulse = [0, 0, 0, 0, 0.9f, 0, 0, 0, 0];
        // k = 1, r = 1 on an impulse with edge clamp: every cell's 3-tap sums see the impulse once,
        // so S̃ = 0.1 everywhere (flat): only (0,0) survives the peak test, but S(0,0) = 0 < τs.
        Assert.Empty(Flat(Run(TestMaps.Grid(3, 3, impulse), "gc(k=1)")));
        Assert.Equal([4], Flat(Run(TestMaps.Grid(3, 3, impulse), "gc(k=0)")));

        // 5×5 impulse: k = 1 smooths it into a 3×3 block of 0.1 with 0 around → (1,1) is the block's first cell.
        var big = new float[25];
        big[12] = 0.9f;
        var map = TestMaps.Grid(5, 5, big);
        var acc = ((0f + 0.9f) + 0f) / 3f;
        acc = ((0f + acc) + 0f) / 3f;
        Assert.Empty(Flat(Run(map, "gc(k=1)"))); // S(1,1) = 0 < τs
        var emitted = Run(map, "gc(k=1,score=0,emit=acc)");
        Assert.Equal(6, emitted.FlatIndex[0]);
        Assert.Equal(acc, emitted.Score[0]);
    }

    [Theory]
    [InlineData("gc+nms(k=1,score=0.2,emit=acc)")]
    [InlineData("gc-mag+nms(k=1,score=0.2,emit=acc,mag=10)")]
    public void Nms_stage_after_gc_applies_its_score_threshold_to_the_emitted_accumulated_score(string variant)
    {
        // 7×7 impulse 0.9 with its four edge neighbours at 0.05: one box pass gives the centre
        // S̃ = (0.9 + 4·0.05)/9 ≈ 0.122, a strict maximum with zero gradient, so the centre survives
        // the direction peak and its S = 0.9 passes the clip at τs = 0.2. gc emits its S̃, which the
        // NMS stage's own score ≥ τs entry must then reject.
        var s = new float[49];
        s[24] = 0.9f;
        s[17] = s[23] = s[25] = s[31] = 0.05f;
        var map = TestMaps.Grid(7, 7, s);

        var gc = Run(map, "gc(k=1,score=0.2,emit=acc)");
        Assert.Equal([24], Flat(gc));
        Assert.InRange(gc.Score[0], 0.12f, 0.125f);
        Assert.Empty(Flat(Run(map, variant)));

        // With τs below S̃ the same box passes the NMS stage with its accumulated score.
        var low = Run(map, "gc+nms(k=1,score=0.1,emit=acc)");
        Assert.Equal([24], Flat(low));
        Assert.Equal(gc.Score[0], low.Score[0]);
    }

    [Fact]
    public void Gc_nms_runs_greedy_nms_over_the_survivors()
    {
        float[] s = [0.9f, 0.1f, 0.1f, 0.1f, 0.1f, 0.8f];
        var map = TestMaps.Grid(2, 3, s);
        map.Set(5, 0.8f, 1, 0, 9, 8); // overlaps cell 0's box (0,0,8,8): IoU 7·8/(64+64−56) ≈ 0.78
        Assert.Equal([0, 5], Flat(Run(map, "gc(k=0)")));
        Assert.Equal([0], Flat(Run(map, "gc+nms(k=0)")));
        Assert.Equal([0], Flat(Run(map, "gc-mag+nms(k=0,mag=10)")));
    }

    [Fact]
    public void Empty_maps_give_empty_outputs_for_every_variant()
    {
        foreach (var spec in VariantRegistry.Defaults())
        {
            using var backend = CreateBackend();
            var output = new DetectionList();
            output.Add(1, 1, 1, 1, 1, 1);
            backend.Run(new CandidateMap([(0, 0, 2, 8f)]), spec, output);
            Assert.Equal(0, output.Count);
            backend.Run(CandidateMap.FromFlatList(0), spec, output, flatInput: true);
            Assert.Equal(0, output.Count);
        }
    }
}
