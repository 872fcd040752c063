using StableSnn.Grains.Search;

namespace StableSnn.Grains.Tests.Search;

public class StartDesignTests
{
    static readonly SearchDimension Alpha = SearchDimension.LogUniform("alpha", 0.01, 10, zeroProbability: 0.1);
    static readonly SearchDimension LearningRate = SearchDimension.Uniform("learningRate", 0.01, 0.2);
    static readonly SearchDimension TimeSteps = SearchDimension.Choice("timeSteps", 4, 8, 16);
    static readonly int[] Seeds = [.. Enumerable.Range(0, 30)];

    /// <summary>Which of the strata cut at <paramref name="bounds"/> (the inner boundaries, ascending) holds the value.</summary>
    static int Stratum(double value, params double[] bounds) => bounds.Count(b => value >= b);

    static List<SearchPoint> Points(StartDesign design) => [.. Enumerable.Range(0, design.Trials).Select(t => design.At(t)!)];

    [Fact]
    public void FiveTrialsWithZeroProposeZeroFirstThenOneInEachQuarterOfTheLogRange()
    {
        // log10 alpha spans [-2, 1]; quarters of 0.75 decades end at 10^-1.25 = 0.0562, 10^-0.5 = 0.316, 10^0.25 = 1.78.
        foreach (int seed in Seeds)
        {
            var points = Points(new StartDesign(new SearchSpace(Alpha), seed, 5));
            Assert.Equal(0, points[0][0]);
            var strata = points.Skip(1).Select(p => Stratum(p[0], 0.0562341, 0.316228, 1.77828)).Order();
            Assert.Equal([0, 1, 2, 3], strata);
            Assert.All(points.Skip(1), p => Assert.InRange(p[0], 0.01, 10));
        }
    }

    [Fact]
    public void EachDimensionIsStratifiedOnItsOwnAndOnlyTheZeroDimensionGivesUpTrialZero()
    {
        // Four trials: alpha is 0 at trial 0, then one trial per decade; the learning rate has four strata of 0.0475.
        foreach (int seed in Seeds)
        {
            var points = Points(new StartDesign(new SearchSpace(Alpha, LearningRate), seed, 4));
            Assert.Equal(0, points[0][0]);
            Assert.Equal([0, 1, 2], points.Skip(1).Select(p => Stratum(p[0], 0.1, 1)).Order());
            Assert.Equal([0, 1, 2, 3], points.Select(p => Stratum(p[1], 0.0575, 0.105, 0.1525)).Order());
        }
    }

    [Fact]
    public void PointsAreJitteredAcrossTheirStratumNotPutAtItsCentre()
    {
        // Where in its stratum (0..1) each learning rate fell: uniform jitter spreads these over the whole stratum.
        var positions = Seeds.SelectMany(s => Points(new StartDesign(new SearchSpace(LearningRate), s, 4)))
            .Select(p => (p[0] - 0.01) / 0.0475 % 1).ToList();
        Assert.InRange(positions.Min(), 0, 0.1);
        Assert.InRange(positions.Max(), 0.9, 1);
        Assert.InRange(positions.Average(), 0.4, 0.6); // 120 positions: sd of the mean ~0.026
    }

    [Fact]
    public void ChoicesCycleThroughAPermutation()
    {
        foreach (int seed in Seeds)
        {
            var steps = Points(new StartDesign(new SearchSpace(TimeSteps), seed, 7)).Select(p => p[0]).ToList();
            Assert.Equal([4.0, 8.0, 16.0], steps.Take(3).Order());
            for (int t = 3; t < 7; t++) Assert.Equal(steps[t - 3], steps[t]);
        }
        // Not always the listed order: the permutation is drawn.
        Assert.Equal(3, Seeds.Select(s => new StartDesign(new SearchSpace(TimeSteps), s, 3).At(0)![0]).Distinct().Count());
    }

    [Fact]
    public void TheSameSeedGivesTheSameDesignWhateverWasProposedBeforeAndWhateverFinished()
    {
        var space = new SearchSpace(Alpha, LearningRate, TimeSteps);
        var sequence = Enumerable.Range(0, 8).Select(t => new RandomProposer(space, 3, 8).Propose(t, [])).ToList();
        var history = sequence.Take(5).Select(p => new SearchObservation(p, 0.5)).ToList();
        for (int k = 0; k < 8; k++)
        {
            // A restarted search asks for trial k first, with whatever history has finished by then.
            Assert.Equal(sequence[k], new RandomProposer(space, 3, 8).Propose(k, history));
            Assert.Equal(sequence[k], new StartDesign(space, 3, 8).At(k));
        }
    }

    [Fact]
    public void DifferentSeedsGiveDifferentDesigns()
    {
        // The order of the strata, not only the jitter, differs: the permutation comes from the seed.
        var orders = Seeds.Select(s => string.Join(",", Points(new StartDesign(new SearchSpace(LearningRate), s, 10))
            .Select(p => Stratum(p[0], [.. Enumerable.Range(1, 9).Select(i => 0.01 + i * 0.019)])))).ToList();
        Assert.Equal(Seeds.Length, orders.Distinct().Count());
    }

    [Fact]
    public void PastTheStartTrialsAreDrawnFromThePrior()
    {
        var space = new SearchSpace(Alpha, TimeSteps);
        var design = new StartDesign(space, 2, 5);
        Assert.Null(design.At(5));
        for (int t = 5; t < 12; t++) Assert.Equal(new RandomProposer(space, 2).Propose(t, []), new RandomProposer(space, 2, 5).Propose(t, []));
        Assert.Null(new StartDesign(space, 2, 0).At(0)); // startTrials 0: no design at all
        Assert.Equal([0.0], Points(new StartDesign(new SearchSpace(Alpha), 2, 1)).Select(p => p[0])); // a start of one: the baseline
    }

    [Fact]
    public void EighteenTrialsAlwaysTryAlphaNearThreeWhereRandomDrawsSometimesDoNot()
    {
        // The measured failure: 18 random trials never proposed the region of the grid's best, alpha = 3. [2, 4.5] is
        // 0.35 decades, wider than a stratum of 17 over 3 decades (0.18), so the design always puts a trial there.
        bool Near3(SearchPoint p) => p[0] is >= 2 and <= 4.5;
        var space = new SearchSpace(Alpha);
        var seeds = Enumerable.Range(0, 100).ToArray();
        Assert.All(seeds, s => Assert.Contains(Points(new StartDesign(space, s, 18)), Near3));
        int randomMisses = seeds.Count(s => !Enumerable.Range(0, 18).Select(t => new RandomProposer(space, s).Propose(t, [])).Any(Near3));
        Assert.True(randomMisses > 0, "random draws never missed: the comparison shows nothing"); // ~14 of 100 expected
    }
}
