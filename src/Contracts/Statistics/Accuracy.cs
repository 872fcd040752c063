namespace StableSnn.Contracts;

/// <summary>Intervals and paired tests for accuracies measured on a finite set of images.</summary>
public static class Accuracy
{
    const double Z95 = 1.959963984540054;

    /// <summary>
    /// Wilson score interval for <paramref name="correct"/> successes out of <paramref name="total"/> (95%): unlike
    /// p ± 1.96 sqrt(p(1-p)/n) it stays inside [0, 1] and is not zero-width at 0% or 100%.
    /// </summary>
    public static Interval Wilson(int correct, int total)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(correct);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(correct, total);
        if (total == 0) return new Interval(0, 1);
        double n = total, p = correct / n, z2 = Z95 * Z95;
        double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        double half = Z95 * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
        return new Interval(Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    /// <summary>
    /// Wilson interval of an accuracy measured on <paramref name="examples"/> images, its count recovered from the
    /// fraction (exact for fractions the trainer wrote, which are counts over examples).
    /// </summary>
    public static Interval Wilson(double accuracy, int examples) =>
        Wilson(Math.Clamp((int)Math.Round(accuracy * examples), 0, examples), examples);

    /// <summary>
    /// Student-t 95% interval of a mean over <paramref name="values"/> (seeds), mean ± t(n-1) s / sqrt(n); null for
    /// fewer than two values, where the spread cannot be estimated.
    /// </summary>
    public static Interval? MeanInterval(IReadOnlyList<double> values)
    {
        int n = values.Count;
        if (n < 2) return null;
        double mean = values.Average();
        double sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (n - 1));
        double half = TQuantile975(n - 1) * sd / Math.Sqrt(n);
        return new Interval(Math.Max(0, mean - half), Math.Min(1, mean + half));
    }

    /// <summary>
    /// Exact two-sided McNemar test on paired outcomes: <paramref name="onlyFirst"/> images right under the first
    /// condition only, <paramref name="onlySecond"/> right under the second only. Under the null each discordant image
    /// goes either way with probability 1/2, so p = min(1, 2 P[Binomial(b + c, 1/2) &lt;= min(b, c)]).
    /// </summary>
    public static double McNemarExact(int onlyFirst, int onlySecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(onlyFirst);
        ArgumentOutOfRangeException.ThrowIfNegative(onlySecond);
        int n = onlyFirst + onlySecond, k = Math.Min(onlyFirst, onlySecond);
        if (n == 0) return 1;
        // Sum of C(n, i) / 2^n for i <= k, in logs (C(n, i) built up term by term) so large n does not overflow.
        double tail = 0, logChoose = 0, logHalfN = n * Math.Log(0.5);
        for (int i = 0; i <= k; i++)
        {
            if (i > 0) logChoose += Math.Log(n - i + 1) - Math.Log(i);
            tail += Math.Exp(logChoose + logHalfN);
        }
        return Math.Min(1, 2 * tail);
    }

    /// <summary>The 97.5% quantile of Student's t with <paramref name="df"/> degrees of freedom (tabulated to 30, then normal).</summary>
    public static double TQuantile975(int df) => df switch
    {
        < 1 => throw new ArgumentOutOfRangeException(nameof(df)),
        <= 30 => T975[df - 1],
        _ => Z95,
    };

    static readonly double[] T975 =
    [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];
}
