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

    static bool[] Mask(params int[] bits) => bits.Select(b => b == 1).ToArray();

    [Fact]
    public void Across_seeds_and_images_matches_the_hand_worked_variance_components()
    {
        // S = 3 seeds, N = 10 images. Mean 2/3; MS_seed = 0.13333, MS_image = 0.51852, MS_residual = 0.09630. Both
        // components kept: S N Var = 0.13333 + 0.51852 - 0.09630 = 0.55556, Var = 0.018519, sd = 0.13608.
        // Satterthwaite: 0.55556^2 / (0.13333^2 / 2 + 0.51852^2 / 9 + 0.09630^2 / 18) = 7.9 -> 7 df, t = 2.365:
        // 0.66667 -/+ 0.32184 = [0.34483, 0.98850] (wider than the Wilson interval of 7/10, [0.39678, 0.89221]).
        var ci = Accuracy.AcrossSeedsAndImages([
            Mask(1, 1, 1, 1, 1, 1, 0, 0, 0, 0), Mask(1, 1, 1, 1, 1, 0, 1, 0, 0, 0), Mask(1, 1, 1, 1, 1, 1, 1, 1, 0, 0)]);
        Assert.Equal(0.34483, ci.Low, 4);
        Assert.Equal(0.98850, ci.High, 4);
    }

    [Fact]
    public void Seeds_that_agree_on_every_image_keep_the_image_sampling_error()
    {
        // Three identical seeds: the t-interval over seed means has zero width; the images still leave about +-10
        // points at 60 of 100, so the interval is at least the Wilson interval of one seed.
        var one = Enumerable.Range(0, 100).Select(i => i < 60).ToArray();
        var seeds = new[] { one, one, one };
        var t = Accuracy.MeanInterval([0.6, 0.6, 0.6])!.Value;
        Assert.Equal(0, t.HalfWidth, 10);
        var ci = Accuracy.AcrossSeedsAndImages(seeds);
        var wilson = Accuracy.Wilson(60, 100);
        Assert.True(ci.Low <= wilson.Low && ci.High >= wilson.High, $"{ci} narrower than {wilson}");
        Assert.InRange(ci.HalfWidth, 0.09, 0.11);
        // One seed is its Wilson interval.
        Assert.Equal(wilson, Accuracy.AcrossSeedsAndImages([one]));
        Assert.Throws<ArgumentException>(() => Accuracy.AcrossSeedsAndImages([one, one.Take(50).ToArray()]));
    }
}
