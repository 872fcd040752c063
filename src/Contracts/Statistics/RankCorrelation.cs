namespace StableSnn.Contracts;

/// <summary>Kendall's tau-b of two paired score lists and a 95% interval, null for fewer than 5 pairs.</summary>
public sealed record RankAgreement(double Tau, int Pairs, Interval? Interval);

/// <summary>Rank correlation: does one score rank items as another does (e.g. rung scores against final scores)?</summary>
public static class RankCorrelation
{
    const double Z95 = 1.959963984540054;

    /// <summary>
    /// Kendall's tau-b, (concordant - discordant) / sqrt((n0 - ties in x)(n0 - ties in y)) over the n0 = n(n-1)/2
    /// pairs (0 when either list is constant), with the interval of Fieller, Hartley and Pearson (1957):
    /// tanh(atanh(tau) +- 1.96 sqrt(0.437 / (n - 4))), defined from 5 pairs on.
    /// </summary>
    public static RankAgreement KendallTau(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count) throw new ArgumentException("the two lists must pair up (same length)", nameof(y));
        int n = x.Count;
        long concordant = 0, discordant = 0, tiesX = 0, tiesY = 0;
        for (var i = 0; i < n; i++)
            for (var j = i + 1; j < n; j++)
            {
                int dx = Math.Sign(x[i] - x[j]), dy = Math.Sign(y[i] - y[j]);
                if (dx == 0) tiesX++;
                if (dy == 0) tiesY++;
                if (dx * dy > 0) concordant++;
                else if (dx * dy < 0) discordant++;
            }
        long pairs = (long)n * (n - 1) / 2;
        var denominator = Math.Sqrt((double)(pairs - tiesX) * (pairs - tiesY));
        var tau = denominator > 0 ? (concordant - discordant) / denominator : 0;
        if (n < 5) return new RankAgreement(tau, n, null);
        var z = Math.Atanh(Math.Clamp(tau, -0.999999, 0.999999));
        var half = Z95 * Math.Sqrt(0.437 / (n - 4));
        return new RankAgreement(tau, n, new Interval(Math.Tanh(z - half), Math.Tanh(z + half)));
    }
}
