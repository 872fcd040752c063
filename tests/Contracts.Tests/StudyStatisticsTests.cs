using StableSnn.Contracts;

namespace StableSnn.Contracts.Tests;

/// <summary>The statistics a study report rests on, against values worked out by hand.</summary>
public class StudyStatisticsTests
{
    static bool[] M(params int[] bits) => bits.Select(b => b == 1).ToArray();

    [Fact]
    public void HolmAdjustsStepDownAndKeepsTheInputOrder()
    {
        // sorted 0.01, 0.03, 0.04 -> 3 x 0.01 = 0.03; max(0.03, 2 x 0.03) = 0.06; max(0.06, 1 x 0.04) = 0.06.
        Assert.Equal([0.03, 0.06, 0.06], MultipleComparisons.Holm([0.01, 0.04, 0.03]), new Near(1e-12));
        // sorted 0.2, 0.5 -> 0.4; max(0.4, 0.5) = 0.5.
        Assert.Equal([0.5, 0.4], MultipleComparisons.Holm([0.5, 0.2]), new Near(1e-12));
        Assert.Equal([1.0, 1.0], MultipleComparisons.Holm([0.6, 0.9]), new Near(1e-12));
        Assert.Throws<ArgumentOutOfRangeException>(() => MultipleComparisons.Holm([0.1, double.NaN]));
    }

    [Fact]
    public void OneSeedGivesThePairedTIntervalOverImages()
    {
        // d = 1, 0, 1, 0: mean 0.5, sample variance 1/3, SE sqrt(1/12) = 0.288675, t(3) = 3.182 -> half 0.918565.
        var ci = Accuracy.PairedDifference([M(1, 1, 1, 0)], [M(0, 1, 0, 0)]);
        Assert.Equal(0.5 - 3.182 * Math.Sqrt(1.0 / 12), ci.Low, 9);
        Assert.Equal(1, ci.High, 9); // 1.4186 clamped to the largest possible difference
    }

    [Fact]
    public void TwoSeedsUseTheCrossedModel()
    {
        // d(seed 1) = 1,0,0,0 and d(seed 2) = 0,1,0,0: mean 0.25; seed means equal (MS_seed 0); image means .5,.5,0,0
        // (MS_image 2 x 0.25 / 3 = 1/6); residuals d - image mean (sum of squares 1, df 3, MS_e 1/3 > MS_image, so only
        // the residual is kept): Var = (1/3) / 8, df = (1/3)^2 / ((1/3)^2 / 3) = 3, half = 3.182 sqrt(1/24).
        var ci = Accuracy.PairedDifference([M(1, 1, 0, 0), M(1, 1, 1, 0)], [M(0, 1, 0, 0), M(1, 0, 1, 0)]);
        var half = 3.182 * Math.Sqrt(1.0 / 24);
        Assert.Equal(0.25 - half, ci.Low, 9);
        Assert.Equal(0.25 + half, ci.High, 9);
    }

    [Fact]
    public void IdenticalConditionsHaveAZeroWidthDifferenceAndMismatchesAreRefused()
    {
        var ci = Accuracy.PairedDifference([M(1, 0, 1)], [M(1, 0, 1)]);
        Assert.Equal(new Interval(0, 0), ci);
        Assert.Throws<ArgumentException>(() => Accuracy.PairedDifference([M(1, 0)], [M(1, 0), M(0, 1)]));
        Assert.Throws<ArgumentException>(() => Accuracy.PairedDifference([M(1, 0)], [M(1, 0, 1)]));
    }

    sealed class Near(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }
}
