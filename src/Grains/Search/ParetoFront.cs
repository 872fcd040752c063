namespace StableSnn.Grains.Search;

/// <summary>A finished trial in the clean-against-robust plane (accuracies; higher is better for both).</summary>
public sealed record ParetoPoint(int Trial, double Clean, double Robust);

public static class ParetoFront
{
    /// <summary>
    /// The trials no other trial beats on both clean and worst-case robust accuracy (at least as good on both and
    /// better on one). Equal points are both kept: neither dominates. Points with a NaN accuracy are left out.
    /// Ordered by clean accuracy descending (so robust ascending along the front), then trial number, whatever the input
    /// order, so tables and plots do not change between runs.
    /// </summary>
    public static IReadOnlyList<ParetoPoint> Of(IEnumerable<ParetoPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var valid = points.Where(p => !double.IsNaN(p.Clean) && !double.IsNaN(p.Robust)).ToList();
        // Quadratic, and plain: a search has hundreds of trials at most.
        return valid.Where(p => !valid.Any(q => Dominates(q, p)))
            .OrderByDescending(p => p.Clean).ThenBy(p => p.Robust).ThenBy(p => p.Trial)
            .ToList();
    }

    public static bool Dominates(ParetoPoint a, ParetoPoint b) =>
        a.Clean >= b.Clean && a.Robust >= b.Robust && (a.Clean > b.Clean || a.Robust > b.Robust);
}
