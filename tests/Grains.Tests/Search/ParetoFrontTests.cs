using StableSnn.Grains.Search;

namespace StableSnn.Grains.Tests.Search;

public class ParetoFrontTests
{
    [Fact]
    public void KeepsTheNonDominatedInAStableOrder()
    {
        // By hand (a..h are trials 1..8): b (0.90, 0.10), c (0.85, 0.30), e (0.70, 0.45), g (0.60, 0.50) are not beaten on both.
        // a (0.88, 0.05) loses to b; d (0.80, 0.25) to c; f (0.70, 0.40) to e; h (0.60, 0.50) ties g exactly: kept.
        ParetoPoint[] points =
        [
            new(1, 0.88, 0.05), new(8, 0.60, 0.50), new(4, 0.80, 0.25), new(2, 0.90, 0.10),
            new(6, 0.70, 0.40), new(7, 0.60, 0.50), new(5, 0.70, 0.45), new(3, 0.85, 0.30),
            new(9, double.NaN, 0.99),
        ];
        int[] expected = [2, 3, 5, 7, 8];
        Assert.Equal(expected, ParetoFront.Of(points).Select(p => p.Trial));
        Assert.Equal(expected, ParetoFront.Of(points.Reverse()).Select(p => p.Trial));
    }

    [Fact]
    public void DominanceNeedsStrictlyBetterOnOne()
    {
        Assert.True(ParetoFront.Dominates(new(1, 0.9, 0.5), new(2, 0.9, 0.4)));
        Assert.False(ParetoFront.Dominates(new(1, 0.9, 0.5), new(2, 0.9, 0.5)));
        Assert.False(ParetoFront.Dominates(new(1, 0.9, 0.4), new(2, 0.8, 0.5)));
        Assert.Empty(ParetoFront.Of([]));
    }
}
