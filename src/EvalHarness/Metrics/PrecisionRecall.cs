namespace EvalHarness.Metrics;

/// <summary>
/// Phase 3 (pycocotools' <c>summarize</c>): precision and recall per threshold and the port's
/// <c>voc_ap</c>, operation for operation in float64.
/// </summary>
internal static class PrecisionRecall
{
    /// <summary>The port's <c>dataset_pr_info</c>: precision = TP/PROP (0/0 is NaN), recall = TP/count_face.</summary>
    public static (double[] Precision, double[] Recall) Curve(ReadOnlySpan<long> proposals, ReadOnlySpan<long> truePositives, long countFace)
    {
        var precision = new double[proposals.Length];
        var recall = new double[proposals.Length];
        for (var t = 0; t < proposals.Length; t++)
        {
            precision[t] = (double)truePositives[t] / proposals[t];
            recall[t] = (double)truePositives[t] / countFace;
        }
        return (precision, recall);
    }

    public static double AveragePrecision(ReadOnlySpan<long> proposals, ReadOnlySpan<long> truePositives, long countFace)
    {
        var (precision, recall) = Curve(proposals, truePositives, countFace);
        return VocAp(recall, precision);
    }

    /// <summary>
    /// The port's <c>voc_ap</c>: pad to <c>[0, rec, 1]</c> and <c>[0, prec, 0]</c>, make precision
    /// non-increasing from the right with <c>np.maximum</c> (NaN propagates), then
    /// <c>np.sum(Δrecall · precision)</c> over the indices where recall changes, summed in numpy's
    /// pairwise order.
    /// </summary>
    public static double VocAp(ReadOnlySpan<double> recall, ReadOnlySpan<double> precision)
    {
        var n = recall.Length + 2;
        Span<double> mrec = n <= 2048 ? stackalloc double[n] : new double[n];
        Span<double> mpre = n <= 2048 ? stackalloc double[n] : new double[n];
        mrec[0] = 0;
        mpre[0] = 0;
        recall.CopyTo(mrec[1..]);
        precision.CopyTo(mpre[1..]);
        mrec[n - 1] = 1;
        mpre[n - 1] = 0;

        for (var i = n - 1; i > 0; i--) mpre[i - 1] = NumpyMaximum(mpre[i - 1], mpre[i]);

        Span<double> terms = n <= 2048 ? stackalloc double[n] : new double[n];
        var count = 0;
        for (var i = 0; i < n - 1; i++)
        {
            // np.where(mrec[1:] != mrec[:-1]): NaN != NaN counts as a change, as in numpy.
            if (mrec[i + 1] != mrec[i]) terms[count++] = (mrec[i + 1] - mrec[i]) * mpre[i + 1];
        }
        return NumpyReduction.Sum(terms[..count]);
    }

    /// <summary><c>np.maximum</c>: NaN if either argument is NaN.</summary>
    private static double NumpyMaximum(double a, double b) => a >= b || double.IsNaN(a) ? a : b;
}
