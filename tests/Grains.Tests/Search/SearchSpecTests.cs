using StableSnn.Grains.Search;

namespace StableSnn.Grains.Tests.Search;

public class SearchSpecTests
{
    private static readonly SearchSpec Valid = new() { Budget = new() { Experiments = 30 } };

    [Fact]
    public void DefaultsWithABudgetAreValid()
    {
        Assert.Empty(Valid.Validate(epochs: 27));
        Assert.Empty((Valid with { Algorithm = "asha" }).Validate(epochs: 27));
        Assert.IsType<TpeProposer>(Valid.CreateProposer());
        Assert.IsType<RandomProposer>((Valid with { Algorithm = "asha" }).CreateProposer());
        Assert.Equal([1, 3, 9, 27], Valid.Asha.Policy(27).RungEpochs);
    }

    [Fact]
    public void EveryProblemIsReportedWithItsField()
    {
        var spec = new SearchSpec
        {
            Algorithm = "asha",
            Objective = new() { Measure = "fgsm", Epsilon255 = 0, CleanFloor = 1.5 },
            Space = new(SearchDimension.Uniform("learningRate", 1e-3, 1e-2)),
            Asha = new() { MinEpochs = 10, Eta = 1 },
            Budget = new() { SlotHours = -1 },
            Seed = -1,
        };
        string[] fields =
        [
            "search.objective.measure:", "search.objective.epsilon:", "search.objective.cleanFloor:", "search.space.alpha: is missing",
            "search.asha.minEpochs:", "search.asha.eta:", "search.budget.slotHours:", "search.seed:",
        ];
        var errors = spec.Validate(epochs: 10);
        Assert.All(fields, f => Assert.Contains(errors, e => e.StartsWith(f, StringComparison.Ordinal)));
        Assert.Equal(fields.Length, errors.Count);
        Assert.Contains("search.budget: is empty", new SearchSpec().Validate(10)[0], StringComparison.Ordinal);
        Assert.Contains("search.algorithm: 'bayes'", (Valid with { Algorithm = "bayes" }).Validate(10)[0], StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => (Valid with { Algorithm = "grid" }).CreateProposer());
    }
}
