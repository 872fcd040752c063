namespace StableSnn.Contracts;

/// <summary>Corrections for testing several hypotheses at once (e.g. every alpha against alpha 0).</summary>
public static class MultipleComparisons
{
    /// <summary>
    /// Holm's step-down adjustment (1979), which keeps the family-wise error rate without assuming independence: sort
    /// the m p-values ascending, the k-th (from 0) becomes max over j &lt;= k of min(1, (m - j) p(j)). Reject where the
    /// adjusted p is below the level. Returned in the input's order.
    /// </summary>
    public static double[] Holm(IReadOnlyList<double> pValues)
    {
        ArgumentNullException.ThrowIfNull(pValues);
        if (pValues.Any(p => !(p >= 0 && p <= 1))) throw new ArgumentOutOfRangeException(nameof(pValues), "p-values must lie in [0, 1]");
        int m = pValues.Count;
        var order = Enumerable.Range(0, m).OrderBy(i => pValues[i]).ToArray();
        var adjusted = new double[m];
        double running = 0;
        for (var k = 0; k < m; k++)
        {
            running = Math.Max(running, Math.Min(1, (m - k) * pValues[order[k]]));
            adjusted[order[k]] = running;
        }
        return adjusted;
    }
}
