using CsCheck;
using EvalHarness.Datasets;
using EvalHarness.Metrics;

namespace EvalHarness.Tests.Metrics;

/// <summary>The Vector256 IoU scan picks exactly the box the scalar (port-faithful) scan picks.</summary>
public sealed class BestBoxSearchTests
{
    // Small integer coordinates make exact ties and IoU = 0.5 cases common; a few special values test NaN/inf handling.
    private static readonly Gen<double> Coordinate = Gen.Frequency(
        (40, Gen.Int[0, 40].Select(i => (double)i)),
        (6, Gen.Double[-5, 45]),
        (1, Gen.OneOf(double.NaN, double.PositiveInfinity, -1.0, -3.0)));

    private static readonly Gen<(double X, double Y, double W, double H)> Box = Gen.Select(Coordinate, Coordinate, Coordinate, Coordinate);

    [Fact]
    public void Vector_scan_equals_scalar_scan()
    {
        Gen.Select(Box.Array[0, 30], Box.Array[0, 41]).Sample((predictions, truths) =>
        {
            var preds = predictions.Select(b => new PredBox(b.X, b.Y, b.W, b.H, 0.5)).ToArray();
            var x1 = truths.Select(b => b.X).ToArray();
            var y1 = truths.Select(b => b.Y).ToArray();
            var x2 = truths.Select(b => b.W + b.X).ToArray();
            var y2 = truths.Select(b => b.H + b.Y).ToArray();
            var area = truths.Select((b, i) => (x2[i] - x1[i] + 1) * (y2[i] - y1[i] + 1)).ToArray();
            var scalar = new int[preds.Length];
            var vector = new int[preds.Length];
            ImageEvaluator.BestBoxesScalar(preds, new ImageEvaluator.GtCorners(x1, y1, x2, y2, area), scalar);
            ImageEvaluator.BestBoxesVector256(preds, new ImageEvaluator.GtCorners(x1, y1, x2, y2, area), vector);
            Assert.Equal(scalar, vector);
        }, iter: 2000);
    }

    [Fact]
    public void Ties_go_to_the_first_box_and_one_half_counts()
    {
        // Boxes 1 and 5 are identical to the prediction; the first of them wins in both scans.
        double[] x1 = [100, 0, 100, 100, 100, 0, 100];
        double[] y1 = [100, 0, 100, 100, 100, 0, 100];
        double[] x2 = x1.Select(v => v + 2).ToArray();
        double[] y2 = y1.Select(v => v + 2).ToArray();
        var area = x1.Select(_ => 9.0).ToArray();
        PredBox[] preds = [new(0, 0, 2, 2, 1), new(1, 0, 2, 2, 1)]; // exact match; IoU exactly 0.5 with boxes 1 and 5
        var scalar = new int[2];
        var vector = new int[2];
        ImageEvaluator.BestBoxesScalar(preds, new(x1, y1, x2, y2, area), scalar);
        ImageEvaluator.BestBoxesVector256(preds, new(x1, y1, x2, y2, area), vector);
        Assert.Equal([1, 1], scalar);
        Assert.Equal(scalar, vector);
    }
}
