using StableSnn.Contracts;
using StableSnn.Grains.Model;
using StableSnn.Grains.Search;
using StableSnn.Grains.State;

namespace StableSnn.Grains.Tests.Search;

/// <summary>Synchronous cohorts (issue 26, part 2): a small search's rungs decide once all their trials reported, whatever the order.</summary>
public class CohortTests
{
    // eta 2, rungs 1, 2, 4 epochs; 6 trials: cohorts 6, 3 (max(1, 6/2)), 1. Trial t right on probe images 0 .. right-1 of 20.
    // Rung 0 closes at the sixth report: ranked t0 15, t1 14, t2 5, t4 5 (a tie: trial number first), t3 2, t5 1; the top
    // 3 (t0, t1, t2) go on; the others against the leader t0: t4 10/0 (p = 2/2^10), t3 13/0, t5 14/0: all stopped.
    static RungReport Report(int trial, int right, int rung = 0) => new(trial, rung, right / 20.0)
    {
        Mask = ExampleMask.Pack([.. Enumerable.Range(0, 20).Select(i => i < right)]), Examples = 20,
    };

    static readonly RungReport[] Rung0 = [Report(0, 15), Report(1, 14), Report(2, 5), Report(3, 2), Report(4, 5), Report(5, 1)];

    static AshaPolicy Policy => new AshaSettings { MinEpochs = 1, Eta = 2 }.Policy(4, cohortTrials: 6);

    /// <summary>Each trial's last decision, explained, after the history: what an operator reads in `explain`.</summary>
    static Dictionary<int, string> Final(IEnumerable<AshaStep> steps) => steps
        .SelectMany(s => s.LatePromotions.Prepend(s.Decision))
        .GroupBy(d => d.Trial).ToDictionary(g => g.Key, g => $"{g.Last().Action}: {g.Last().Explain()}");

    [Fact]
    public void ACohortWaitsForAllItsTrialsThenPromotesTheTopAndTestsTheRest()
    {
        Assert.Equal([6, 3, 1], Policy.Cohorts);
        var (state, steps) = Policy.Replay(Rung0);
        Assert.All(steps.Take(5), s => Assert.Equal(AshaAction.Wait, s.Decision.Action));
        Assert.All(steps.Take(5), s => Assert.Empty(s.LatePromotions));
        Assert.Equal("waiting at rung 0 (1 epoch) for its cohort: 2 of 6 trials reported; the rung decides for all of them once all have (so arrival order does not matter)",
            steps[1].Decision.Explain());
        Assert.Equal([0, 1, 2], Enumerable.Range(0, 6).Where(t => state.IsPromoted(t, 0)));
        Assert.Equal([3, 4, 5], Enumerable.Range(0, 6).Where(t => state.IsStoppedByTest(t, 0)));
        var decisions = Final(steps);
        Assert.Equal("Promote: promoted from rung 0 (1 epoch) when its cohort of 6 was complete: score 0.25 ranks 3 of 6; the top 3 go on, cut-off 0.25",
            decisions[2]);
        Assert.StartsWith("Stop: stopped at rung 0 (1 epoch): score 0.25 ranks 4 of 6; the top 3 go on, cut-off 0.25; worse than the leader beyond paired noise " +
                          "(10 probe images robust for the leader t000 only, 0 for this trial only, McNemar p = 0.002 < 0.05)", decisions[4]);
    }

    [Fact]
    public void CohortDecisionsDoNotDependOnTheOrderReportsArriveIn()
    {
        var expected = Final(Policy.Replay(Rung0).Steps);
        var random = new Random(7);
        for (var shuffle = 0; shuffle < 40; shuffle++)
        {
            var order = Rung0.OrderBy(_ => random.Next()).ToArray();
            Assert.Equal(expected, Final(Policy.Replay(order).Steps));
        }
        // Asynchronous ASHA on the same scores does depend on the order: the weak trials first promote nobody, the
        // strong ones first are promoted as they come.
        var classic = new AshaSettings { MinEpochs = 1, Eta = 2 }.Policy(4);
        var weakFirst = Final(classic.Replay(Rung0.Reverse()).Steps);
        var strongFirst = Final(classic.Replay(Rung0).Steps);
        Assert.NotEqual(strongFirst, weakFirst);
    }

    [Fact]
    public void TheSecondRungIsTheCohortOfThePromotedAndAHeldTrialStaysEligible()
    {
        // Rung 1: t0 16, t1 15, t2 6 of 20; one goes on (max(1, 3/2)). t1 against t0: 1/0, p = 1: held; t2: 10/0: stopped.
        var (state, steps) = Policy.Replay([.. Rung0, Report(2, 6, rung: 1), Report(1, 15, rung: 1), Report(0, 16, rung: 1)]);
        Assert.True(state.IsPromoted(0, 1));
        var rung1 = Final(steps.Skip(6));
        Assert.StartsWith("Hold: held at rung 1 (2 epochs)", rung1[1]);
        Assert.StartsWith("Stop: stopped at rung 1 (2 epochs)", rung1[2]);
        Assert.Equal(1, state.EndOfBudgetCandidate(_ => true)); // the held trial, should the budget end here
        Assert.Equal(AshaAction.Complete, state.Apply(Report(0, 17, rung: 2)).Decision.Action);
    }

    static SweepSpec Sweep(string? cohorts, SearchBudget budget) => new()
    {
        Name = "s", Datasets = ["mnist"], Architectures = ["small-cnn"], Neurons = ["lif"], Modes = ["at"], Seeds = [3], Epochs = 4,
        Search = new SearchSpec
        {
            Algorithm = "asha", Seed = 5, Budget = budget, Asha = new AshaSettings { MinEpochs = 1, Eta = 2, Cohorts = cohorts },
            Space = new SearchSpace(SearchDimension.LogUniform("alpha", 0.01, 10, 0.1)),
        },
    };

    [Fact]
    public void AutoMeansCohortsUpToTwentyTrialsAndStoredSearchesStayAsynchronous()
    {
        Assert.Equal(6, Sweep("auto", new SearchBudget { Experiments = 6 }).Search!.CohortTrials(4));
        Assert.Null(Sweep("auto", new SearchBudget { Experiments = 21 }).Search!.CohortTrials(4));
        Assert.Equal(21, Sweep("sync", new SearchBudget { Experiments = 21 }).Search!.CohortTrials(4));
        Assert.Null(Sweep("async", new SearchBudget { Experiments = 6 }).Search!.CohortTrials(4));
        Assert.Null(Sweep(null, new SearchBudget { Experiments = 6 }).Search!.CohortTrials(4)); // stored before cohorts existed
        // 30 trainer-epochs buy 15 trials (funnel 15, 7, 3: 8 x 1 + 4 x 2 + 3 x 4 = 28 <= 30; 16 would need 8 + 8 + 16 = 32).
        Assert.Equal(15, Sweep("auto", new SearchBudget { TrainerEpochs = 30 }).Search!.CohortTrials(4));
        Assert.Null(Sweep("auto", new SearchBudget { SlotHours = 2 }).Search!.CohortTrials(4)); // unplanned: asynchronous
        Assert.Contains(Sweep("sync", new SearchBudget { SlotHours = 2 }).Search!.Validate(4),
            e => e.StartsWith("search.asha.cohorts: sync needs a plan that fixes the number of trials", StringComparison.Ordinal));
        Assert.Contains(Sweep("sometimes", new SearchBudget { Experiments = 6 }).Search!.Validate(4),
            e => e == "search.asha.cohorts: 'sometimes' is not known; use auto, sync or async");
    }

    [Fact]
    public void AFailedTrialIsNeverPromotedEvenAloneInItsCohort()
    {
        var alone = new AshaSettings { MinEpochs = 1, Eta = 2 }.Policy(4, cohortTrials: 1); // cohorts 1, 1, 1
        var step = alone.Empty.Apply(new RungReport(0, 0, double.NaN));
        Assert.Equal(AshaAction.Stop, step.Decision.Action);
        Assert.False(step.State.IsPromoted(0, 0));
        // Asynchronous rungs too: two failures and one score, floor(3/2) = 1 place, and it goes to the score.
        var (state, _) = new AshaPolicy(1, 2, 4).Replay([new RungReport(0, 0, double.NaN), new RungReport(1, 0, double.NaN), new RungReport(2, 0, 0.4)]);
        Assert.Equal([2], Enumerable.Range(0, 3).Where(t => state.IsPromoted(t, 0)));
    }

    [Fact]
    public void TheCohortPlanIsKeptInTheStateSoReplayDoesNotDependOnTodaysPlanner()
    {
        var state = new SearchState();
        var run = new SearchRun(Sweep("auto", new SearchBudget { Experiments = 6 }), state);
        Assert.Equal((6, 6), (run.CohortTrials, state.CohortPlan));
        state.CohortPlan = 4; // what an older planner decided for this stored search
        Assert.Equal(4, new SearchRun(Sweep("auto", new SearchBudget { Experiments = 6 }), state).CohortTrials);
        var async = new SearchState();
        new SearchRun(Sweep("async", new SearchBudget { Experiments = 6 }), async);
        Assert.Equal(0, async.CohortPlan); // asynchronous, kept as such
        Assert.Null(new SearchRun(Sweep("auto", new SearchBudget { Experiments = 6 }), async).CohortTrials);
    }

    [Fact]
    public void ACohortSearchProposesItsPlanAndAFailedTrialClosesTheCohort()
    {
        // trainerEpochs 30: the plan's 15 trials, no more, although nothing was promoted yet (the budget alone would allow 30).
        var run = new SearchRun(Sweep("auto", new SearchBudget { TrainerEpochs = 30 }), new SearchState());
        while (run.BudgetLeft) run.Propose([]);
        Assert.Equal(15, run.TrialCount);

        var small = new SearchRun(Sweep("auto", new SearchBudget { Experiments = 3 }), new SearchState());
        for (var i = 0; i < 3; i++) small.Propose([]);
        RungMeasurement Rung(double robust) => new() { Epoch = 1, ValidationAccuracy = 0.9, ProbeRobustAccuracy = robust, ProbeCleanAccuracy = 0.9, ProbeExamples = 20 };
        Assert.Equal(AshaAction.Wait, Assert.Single(small.ReportRung(0, Rung(0.3))).Action);
        Assert.Equal(AshaAction.Wait, Assert.Single(small.ReportRung(2, Rung(0.5))).Action);
        var closed = small.ReportFailure(1); // trial 1 crashed for good: it ranks last, and the cohort decides
        Assert.Equal([1, 2, 0], closed.Select(d => d.Trial));
        Assert.Equal(AshaAction.Promote, closed.Single(d => d.Trial == 2).Action);
        Assert.Equal(AshaAction.Stop, closed.Single(d => d.Trial == 1).Action);
        Assert.Equal(2, small.StopAtEpoch(2));
        Assert.Empty(new SearchRun(Sweep("async", new SearchBudget { Experiments = 3 }), new SearchState()).ReportFailure(1));
    }
}
