namespace StableSnn.Contracts.Tests;

/// <summary>Intervals and tests against values worked out by hand (and matching published tables).</summary>
public sealed class AccuracyTests
{
    [Fact]
    public void Wilson_interval_of_8_out_of_10()
    {
        // centre (0.8 + z^2/20) / (1 + z^2/10) = 0.71674, half 1.96 sqrt(0.016 + z^2/400) / (1 + z^2/10) = 0.22658
        var ci = Accuracy.Wilson(8, 10);
        Assert.Equal(0.4902, ci.Low, 4);
        Assert.Equal(0.9433, ci.High, 4);
    }

    [Fact]
    public void Wilson_interval_is_not_empty_at_zero_or_all()
    {
        var none = Accuracy.Wilson(0, 10);
        Assert.Equal(0, none.Low, 6);
        Assert.Equal(0.2775, none.High, 4);
        var all = Accuracy.Wilson(10, 10);
        Assert.Equal(0.7225, all.Low, 4);
        Assert.Equal(1, all.High, 6);
    }

    [Fact]
    public void Wilson_half_width_for_100_images_near_half_is_about_ten_points()
    {
        var ci = Accuracy.Wilson(57, 100);
        Assert.InRange(ci.HalfWidth, 0.09, 0.10);
    }

    [Theory]
    [InlineData(5, 0, 0.0625)]     // 2 * 0.5^5
    [InlineData(6, 0, 0.03125)]    // 2 / 64
    [InlineData(3, 1, 0.625)]      // 2 * (1 + 4) / 16
    [InlineData(1, 3, 0.625)]      // symmetric
    [InlineData(2, 2, 1.0)]        // 2 * 11/16 capped at 1
    [InlineData(0, 0, 1.0)]        // no discordant images: no evidence
    public void Exact_McNemar_p_values(int onlyFirst, int onlySecond, double expected) =>
        Assert.Equal(expected, Accuracy.McNemarExact(onlyFirst, onlySecond), 10);

    [Fact]
    public void McNemar_does_not_overflow_on_large_counts()
    {
        var p = Accuracy.McNemarExact(5200, 4800); // z = 400 / 100 = 4: p about 6e-5
        Assert.InRange(p, 3e-5, 1e-4);
    }

    [Fact]
    public void Mean_interval_over_three_seeds_uses_t_with_two_degrees_of_freedom()
    {
        // mean 0.6, sd 0.1, half = 4.303 * 0.1 / sqrt(3) = 0.24843
        var ci = Accuracy.MeanInterval([0.5, 0.6, 0.7])!.Value;
        Assert.Equal(0.6 - 0.24843, ci.Low, 4);
        Assert.Equal(0.6 + 0.24843, ci.High, 4);
        Assert.Null(Accuracy.MeanInterval([0.5]));
    }
}
