using StableSnn.Grains.Search;

namespace StableSnn.Grains.Tests.Search;

public class ParetoFrontTests
{
    [Fact]
    public void KeepsTheNonDominatedInAStableOrder()
    {
        // By hand: b (0.90, 0.10), c (0.85, 0.30), e (0.70, 0.45), g (0.60, 0.50) are not beaten on both.
        // a (0.88, 0.05) loses to b; d (0.80, 0.25) to c; f (0.70, 0.40) to e; h (0.60, 0.50) ties g exactly: kept.
        ParetoPoint[] points =
        [
            new("a", 0.88, 0.05), new("h", 0.60, 0.50), new("d", 0.80, 0.25), new("b", 0.90, 0.10),
            new("f", 0.70, 0.40), new("g", 0.60, 0.50), new("e", 0.70, 0.45), new("c", 0.85, 0.30),
            new("nan", double.NaN, 0.99),
        ];
        string[] expected = ["b", "c", "e", "g", "h"];
        Assert.Equal(expected, ParetoFront.Of(points).Select(p => p.TrialId));
        Assert.Equal(expected, ParetoFront.Of(points.Reverse()).Select(p => p.TrialId));
    }

    [Fact]
    public void DominanceNeedsStrictlyBetterOnOne()
    {
        Assert.True(ParetoFront.Dominates(new("x", 0.9, 0.5), new("y", 0.9, 0.4)));
        Assert.False(ParetoFront.Dominates(new("x", 0.9, 0.5), new("y", 0.9, 0.5)));
        Assert.False(ParetoFront.Dominates(new("x", 0.9, 0.4), new("y", 0.8, 0.5)));
        Assert.Empty(ParetoFront.Of([]));
    }
}
