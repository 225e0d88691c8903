namespace EvalHarness.Sweeps;

/// <summary>A configuration as a point of the accuracy/speed plane.</summary>
internal readonly record struct ParetoPoint(double MedianMs, double Ap);

/// <summary>
/// The AP–latency Pareto frontier: a point is on it when no other point is at least as fast and
/// at least as accurate while strictly better in one of the two. Identical points do not
/// dominate each other (both stay on). Points with a NaN coordinate are never on it.
/// </summary>
internal static class ParetoFrontier
{
    /// <summary>For each point, whether it is on the frontier. O(n log n).</summary>
    public static bool[] OnFrontier(IReadOnlyList<ParetoPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var on = new bool[points.Count];
        var order = new List<int>(points.Count);
        for (var i = 0; i < points.Count; i++)
        {
            if (!double.IsNaN(points[i].MedianMs) && !double.IsNaN(points[i].Ap)) order.Add(i);
        }
        // Fastest first; at equal time the most accurate first, so a slower-or-equal point is
        // dominated exactly when its AP is below the best AP seen so far (or equal AP at a
        // strictly greater time).
        order.Sort((a, b) =>
        {
            var byTime = points[a].MedianMs.CompareTo(points[b].MedianMs);
            return byTime != 0 ? byTime : points[b].Ap.CompareTo(points[a].Ap);
        });
        var bestAp = double.NegativeInfinity;
        var bestMs = double.NaN;
        foreach (var i in order)
        {
            var p = points[i];
            if (p.Ap > bestAp)
            {
                on[i] = true;
                bestAp = p.Ap;
                bestMs = p.MedianMs;
            }
            else if (p.Ap == bestAp && p.MedianMs == bestMs)
            {
                on[i] = true; // a duplicate of a frontier point
            }
        }
        return on;
    }

    /// <summary>The frontier's points from fastest to slowest (AP rising), for drawing the step line.</summary>
    public static IReadOnlyList<int> FrontierInOrder(IReadOnlyList<ParetoPoint> points)
    {
        var on = OnFrontier(points);
        var list = new List<int>();
        for (var i = 0; i < on.Length; i++)
        {
            if (on[i]) list.Add(i);
        }
        list.Sort((a, b) =>
        {
            var byTime = points[a].MedianMs.CompareTo(points[b].MedianMs);
            return byTime != 0 ? byTime : points[a].Ap.CompareTo(points[b].Ap);
        });
        return list;
    }
}
