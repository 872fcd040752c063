using StableSnn.Contracts;

namespace StableSnn.Contracts.Tests;

public sealed class RankCorrelationTests
{
    [Fact]
    public void Tau_counts_concordant_and_discordant_pairs_and_its_interval_is_fieller_hartley_pearsons()
    {
        // One discordant pair (2, 3) of 10: tau = (9 - 1) / 10. Interval: tanh(atanh 0.8 +- 1.96 sqrt(0.437 / 1)).
        var five = RankCorrelation.KendallTau([1, 2, 3, 4, 5], [1, 3, 2, 4, 5]);
        Assert.Equal(0.8, five.Tau, 12);
        Assert.Equal(-0.1945, five.Interval!.Value.Low, 4);
        Assert.Equal(0.9835, five.Interval!.Value.High, 4);

        // 8 items, one swap at the top: 26 / 28; sqrt(0.437 / 4): [0.7616, 0.9799].
        var eight = RankCorrelation.KendallTau([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4, 5, 6, 8, 7]);
        Assert.Equal(26.0 / 28, eight.Tau, 12);
        Assert.Equal(0.7616, eight.Interval!.Value.Low, 4);

        Assert.Equal(-1, RankCorrelation.KendallTau([1, 2, 3], [3, 2, 1]).Tau, 12);
        Assert.Null(RankCorrelation.KendallTau([1, 2, 3, 4], [1, 2, 3, 4]).Interval); // too few pairs for one
    }

    [Fact]
    public void Ties_are_tau_b_and_a_constant_list_says_nothing()
    {
        // x ties (1, 2); pairs 6: concordant 5, discordant 0, ties in x 1: 5 / sqrt(5 * 6).
        Assert.Equal(5 / Math.Sqrt(30), RankCorrelation.KendallTau([1, 1, 2, 3], [1, 2, 3, 4]).Tau, 12);
        Assert.Equal(0, RankCorrelation.KendallTau([2, 2, 2, 2, 2], [1, 2, 3, 4, 5]).Tau);
        Assert.Throws<ArgumentException>(() => RankCorrelation.KendallTau([1, 2], [1]));
    }
}
