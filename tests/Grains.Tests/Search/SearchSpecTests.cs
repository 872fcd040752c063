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

    [Fact]
    public void TheStartIsTpesWarmUpOrTheWholeSmallBudgetUnlessGiven()
    {
        SearchSpec With(string algorithm, int? experiments, int? start = null) =>
            Valid with { Algorithm = algorithm, Budget = new() { Experiments = experiments, TrainerEpochs = 90 }, StartTrials = start };
        Assert.Equal(10, With("tpe", 30).StartTrialCount);    // TpeSettings.MinFinished
        Assert.Equal(6, With("tpe", 6).StartTrialCount);      // never past the budget
        Assert.Equal(18, With("asha", 18).StartTrialCount);   // the whole budget ...
        Assert.Equal(20, With("random", 50).StartTrialCount); // ... up to 20
        Assert.Equal(20, With("random", null).StartTrialCount);
        Assert.Equal(10, With("tpe", null).StartTrialCount);
        Assert.Equal(5, With("asha", 18, 5).StartTrialCount);
        Assert.Equal(0, With("tpe", 18, 0).StartTrialCount);
        Assert.Empty(With("asha", 18, 18).Validate(27));
        Assert.Empty(With("tpe", null, 40).Validate(27));
    }

    [Fact]
    public void AStartThatCannotRunIsAnErrorNamingTheFieldAndTheFix()
    {
        string Error(SearchSpec spec) => Assert.Single(spec.Validate(27));
        Assert.Equal("search.startTrials: -1 is negative; use 0 for no space-filling start, or omit it for the default",
            Error(Valid with { StartTrials = -1 }));
        Assert.Equal("search.startTrials: 31 is more than search.budget.experiments (30), so part of the start would never run and its " +
            "strata would stay untried; use at most 30, or omit it for the default", Error(Valid with { StartTrials = 31 }));
        Assert.StartsWith("search.startTrials: 1001 is more than 1000;",
            Error(Valid with { Budget = new() { TrainerEpochs = 90 }, StartTrials = 1001 }), StringComparison.Ordinal);
        Assert.StartsWith("search.startTrials: a grid search runs the sweep's own axes",
            Error(Valid with { Algorithm = "grid", StartTrials = 4 }), StringComparison.Ordinal);
    }
}
