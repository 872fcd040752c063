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
    /// 95% interval of the mean accuracy of several seeds scored on the same images, accounting for both samplings:
    /// the seeds (another training run) and the images (another test set). A crossed random-effects model of the
    /// per-image outcomes c[s, i] = mu + a[s] + b[i] + e[s, i], its variance components estimated by the two-way ANOVA
    /// mean squares (MS_seed, MS_image, MS_residual, each component kept at zero or above):
    ///   Var(mean) = sigma_a^2 / S + sigma_b^2 / N + sigma_e^2 / (S N),
    /// with Satterthwaite's degrees of freedom for Student's t. The images are shared, so their error does not shrink
    /// with more seeds (sigma_b^2 / N), unlike the t-interval over seed means, which leaves it out. The result is never
    /// narrower than the Wilson interval of the mean accuracy on N images: a conservative floor for the rare case where
    /// seeds disagree on so many images that the estimate would claim more precision than one model on them.
    /// </summary>
    /// <param name="correct">Per seed, per image: classified correctly (all the same length).</param>
    public static Interval AcrossSeedsAndImages(IReadOnlyList<bool[]> correct)
    {
        ArgumentNullException.ThrowIfNull(correct);
        if (correct.Count == 0) throw new ArgumentException("at least one seed is needed", nameof(correct));
        int s = correct.Count, n = correct[0].Length;
        if (correct.Any(c => c.Length != n)) throw new ArgumentException("every seed must be scored on the same images", nameof(correct));
        if (n == 0) return new Interval(0, 1);
        var (mean, variance, df) = Crossed(correct.Select(c => c.Select(x => x ? 1.0 : 0.0).ToArray()).ToList());
        var wilson = Wilson((int)Math.Round(mean * n), n);
        if (s == 1) return wilson;
        var half = TQuantile975(df) * Math.Sqrt(variance);
        return new Interval(Math.Max(0, Math.Min(mean - half, wilson.Low)), Math.Min(1, Math.Max(mean + half, wilson.High)));
    }

    /// <summary>
    /// 95% interval of the mean paired difference (<paramref name="treated"/> minus <paramref name="baseline"/>, as a
    /// fraction in [-1, 1]) of two conditions whose seeds were scored on the same images: per seed s and image i,
    /// d[s, i] = treated[s][i] - baseline[s][i] in {-1, 0, 1}, under the crossed model of
    /// <see cref="AcrossSeedsAndImages"/>, so both another training run and another test set are accounted for. With one
    /// seed it is the paired t-interval over images. Seeds pair up by position.
    /// </summary>
    public static Interval PairedDifference(IReadOnlyList<bool[]> treated, IReadOnlyList<bool[]> baseline)
    {
        ArgumentNullException.ThrowIfNull(treated);
        ArgumentNullException.ThrowIfNull(baseline);
        if (treated.Count == 0 || treated.Count != baseline.Count)
            throw new ArgumentException($"seeds must pair up: {treated.Count} treated, {baseline.Count} baseline", nameof(baseline));
        int n = treated[0].Length;
        if (treated.Concat(baseline).Any(c => c.Length != n)) throw new ArgumentException("every seed must be scored on the same images", nameof(baseline));
        if (n == 0) return new Interval(-1, 1);
        var d = treated.Zip(baseline, (t, b) => t.Zip(b, (x, y) => (x ? 1.0 : 0.0) - (y ? 1.0 : 0.0)).ToArray()).ToList();
        var (mean, variance, df) = Crossed(d);
        var half = n == 1 && d.Count == 1 ? 2 : TQuantile975(df) * Math.Sqrt(variance);
        return new Interval(Math.Max(-1, mean - half), Math.Min(1, mean + half));
    }

    /// <summary>
    /// Mean of values v[s, i] (seeds x images, every seed on the same images) under the crossed random-effects model
    /// v[s, i] = mu + a[s] + b[i] + e[s, i], its variance components estimated by the two-way ANOVA mean squares
    /// (MS_seed, MS_image, MS_residual, each component kept at zero or above):
    ///   Var(mean) = sigma_a^2 / S + sigma_b^2 / N + sigma_e^2 / (S N),
    /// with Satterthwaite's degrees of freedom.
    /// </summary>
    static (double Mean, double Variance, int Df) Crossed(IReadOnlyList<double[]> values)
    {
        int s = values.Count, n = values[0].Length;
        double mean = values.Sum(c => c.Sum()) / (s * (double)n);
        var seedMeans = values.Select(c => c.Average()).ToArray();
        var imageMeans = new double[n];
        for (var i = 0; i < n; i++) imageMeans[i] = values.Sum(c => c[i]) / s;
        double msSeed = s == 1 ? 0 : n * seedMeans.Sum(m => (m - mean) * (m - mean)) / (s - 1);
        double msImage = n == 1 ? 0 : s * imageMeans.Sum(m => (m - mean) * (m - mean)) / (n - 1);
        double residual = 0;
        for (var k = 0; k < s; k++)
            for (var i = 0; i < n; i++)
            {
                var e = values[k][i] - seedMeans[k] - imageMeans[i] + mean;
                residual += e * e;
            }
        int dfSeed = s - 1, dfImage = n - 1, dfResidual = (s - 1) * (n - 1);
        double msResidual = dfResidual == 0 ? 0 : residual / dfResidual;
        // S N Var(mean) = L = MS_e + sum over the kept components of (MS_j - MS_e): a component whose estimate is
        // negative (MS_j < MS_e) is dropped. Satterthwaite: df = L^2 / sum((c_j MS_j)^2 / df_j), c_e = 1 - kept.
        var kept = new List<(double Ms, int Df)>();
        if (dfSeed > 0 && msSeed > msResidual) kept.Add((msSeed, dfSeed));
        if (dfImage > 0 && msImage > msResidual) kept.Add((msImage, dfImage));
        var combination = msResidual + kept.Sum(k => k.Ms - msResidual);
        var variance = combination / (s * (double)n);
        double residualShare = 1 - kept.Count;
        var denominator = kept.Sum(k => k.Ms * k.Ms / k.Df)
                          + (dfResidual > 0 ? residualShare * residualShare * msResidual * msResidual / dfResidual : 0);
        // A ratio that is an integer in exact arithmetic (one component kept) must not lose a degree to rounding.
        var df = denominator > 0 ? Math.Max(1, (int)Math.Floor(combination * combination / denominator + 1e-9)) : Math.Max(1, dfSeed);
        return (mean, variance, df);
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
