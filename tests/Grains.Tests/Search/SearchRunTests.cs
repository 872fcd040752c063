using StableSnn.Grains.Model;
using StableSnn.Grains.Search;
using StableSnn.Grains.State;

namespace StableSnn.Grains.Tests.Search;

public class SearchRunTests
{
    static SweepSpec Sweep(string algorithm = "asha", SearchBudget? budget = null, int maxConcurrency = 0, double? floor = null) => new()
    {
        Name = "s", Datasets = ["mnist"], Architectures = ["small-cnn"], Neurons = ["lif"], Modes = ["at"], Seeds = [3], Epochs = 9,
        MaxConcurrency = maxConcurrency,
        Search = new SearchSpec
        {
            Algorithm = algorithm, Seed = 5, Budget = budget ?? new SearchBudget { Experiments = 9 },
            Objective = new SearchObjective { CleanFloor = floor },
            Space = new SearchSpace(SearchDimension.LogUniform("alpha", 0.01, 10, 0.1), SearchDimension.Uniform("learningRate", 0.01, 0.2),
                SearchDimension.Choice("timeSteps", 4, 8)),
        },
    };

    static RungMeasurement Rung(int epoch, double robust, double validation = 0.9) =>
        new() { Epoch = epoch, ValidationAccuracy = validation, ProbeRobustAccuracy = robust, ProbeCleanAccuracy = validation, ProbeExamples = 256 };

    [Fact]
    public void ProposalsAreSeededRoundedToThreeDigitsAndBecomeTrialPoints()
    {
        var a = new SearchRun(Sweep(), new SearchState());
        var b = new SearchRun(Sweep(), new SearchState());
        for (int i = 0; i < 6; i++) Assert.Equal(a.Propose([]), b.Propose([]));
        for (int t = 0; t < 6; t++)
        {
            var p = a.PointOf(t);
            Assert.Equal(b.PointOf(t), p);
            Assert.Equal(t, p.Trial);
            Assert.True(p.Alpha == 0 || Math.Abs(p.Alpha - double.Parse(p.Alpha.ToString("G3"))) < 1e-12, $"alpha {p.Alpha} not rounded");
            Assert.InRange(p.LearningRate!.Value, 0.01, 0.2);
            Assert.Contains(p.TimeSteps!.Value, new[] { 4, 8 });
            Assert.Equal(("mnist", 3), (p.Dataset, p.Seed));
            var spec = Sweep().ExperimentSpec(p, a.StopAtEpoch(t));
            Assert.Equal((p.Alpha, p.LearningRate.Value, p.TimeSteps.Value, 1), (spec.Alpha, spec.LearningRate, spec.TimeSteps, spec.StopAtEpoch!.Value));
            Assert.Equal(8 / 255.0, spec.Probe!.Epsilon, 12);
        }
        Assert.Equal(6, a.PointOf(0).ExperimentKey("s").Split('/').Length - 1);
        Assert.StartsWith("s/mnist/small-cnn/lif/at/t000-a", a.PointOf(0).ExperimentKey("s"));
    }

    [Fact]
    public void ARunningSearchProposesTheStartDesignFirst()
    {
        // Nine trials of ASHA: all the start by default. Alpha 0 first, then one trial per eighth of log [0.01, 10]
        // (3/8 decade each), one per ninth of the learning rate's range, and time steps alternating.
        var run = new SearchRun(Sweep(), new SearchState());
        Assert.Equal(9, run.Spec.StartTrialCount);
        for (int i = 0; i < 9; i++) run.Propose([]);
        var points = Enumerable.Range(0, 9).Select(run.PointOf).ToList();
        Assert.Equal(0, points[0].Alpha);
        Assert.Equal(Enumerable.Range(0, 8), points.Skip(1).Select(p => (int)Math.Floor((Math.Log10(p.Alpha) + 2) / 0.375)).Order());
        Assert.Equal(Enumerable.Range(0, 9), points.Select(p => Math.Min(8, (int)Math.Floor((p.LearningRate!.Value - 0.01) / (0.19 / 9)))).Order());
        Assert.All(Enumerable.Range(2, 7), t => Assert.Equal(points[t - 2].TimeSteps, points[t].TimeSteps));
        Assert.NotEqual(points[0].TimeSteps, points[1].TimeSteps);
    }

    [Fact]
    public void EachBudgetEndsProposalsAtItsLimitAndConcurrencyBoundsActiveTrials()
    {
        var trials = new SearchRun(Sweep(budget: new() { Experiments = 2 }), new SearchState());
        Assert.True(trials.MayPropose(0));
        trials.Propose([]); trials.Propose([]);
        Assert.False(trials.BudgetLeft);

        // ASHA commits a new trial's first rung (1 epoch) until the promoted rungs fill the 5 epochs.
        var epochs = new SearchRun(Sweep(budget: new() { TrainerEpochs = 5 }), new SearchState());
        for (int i = 0; i < 3; i++) epochs.Propose([]);
        foreach (var t in new[] { 0, 1, 2 }) epochs.ReportRung(t, Rung(1, 0.1 * (t + 1))); // trial 2 promoted: now at 3 epochs
        Assert.Equal(5, epochs.TrainerEpochs);
        Assert.False(epochs.BudgetLeft);

        var grid = new SearchRun(Sweep("random", new() { TrainerEpochs = 18 }), new SearchState());
        grid.Propose([]);
        Assert.True(grid.BudgetLeft); // 9 + 9 <= 18
        grid.Propose([]);
        Assert.False(grid.BudgetLeft);

        var hours = new SearchRun(Sweep(budget: new() { SlotHours = 0.5 }), new SearchState());
        hours.Propose([]);
        hours.RecordSlotSeconds(0, 1799);
        Assert.True(hours.BudgetLeft);
        hours.RecordSlotSeconds(0, 1800);
        Assert.False(hours.BudgetLeft);

        var limited = new SearchRun(Sweep(maxConcurrency: 2), new SearchState());
        Assert.True(limited.MayPropose(1));
        Assert.False(limited.MayPropose(2));
        Assert.Equal(SearchSpec.DefaultParallelTrials, new SearchRun(Sweep(), new SearchState()).ParallelTrials);
    }

    [Fact]
    public void RungReportsDecideTargetsIgnoreRepeatsAndReplayIdentically()
    {
        var state = new SearchState();
        var run = new SearchRun(Sweep(), state);
        for (int i = 0; i < 4; i++) run.Propose([]);
        Assert.Equal(AshaAction.Wait, Assert.Single(run.ReportRung(0, Rung(1, 0.30))).Action);
        Assert.Equal(AshaAction.Wait, Assert.Single(run.ReportRung(1, Rung(1, 0.20))).Action);
        // The third report fills floor(3/3) = 1 place: trial 0 (0.30) goes on, late; trial 2 (0.10) is stopped as in classic
        // ASHA (these probes kept no per-image results, so there is no paired test).
        var third = run.ReportRung(2, Rung(1, 0.10));
        Assert.Equal([(2, AshaAction.Stop), (0, AshaAction.Promote)], third.Select(d => (d.Trial, d.Action)));
        Assert.Equal(0.30, third[0].CutOff);
        Assert.Equal((3, 1), (run.StopAtEpoch(0)!.Value, run.TargetRung(0)));
        Assert.Equal((1, 0), (run.StopAtEpoch(2)!.Value, run.TargetRung(2)));

        Assert.Empty(run.ReportRung(2, Rung(1, 0.99))); // a repeat: the first score stands
        Assert.Empty(run.ReportRung(1, Rung(3, 0.5)));  // not promoted to rung 1: ignored
        Assert.Empty(run.ReportRung(3, Rung(2, 0.5)));  // epoch 2 is no rung
        Assert.Equal(3, state.Reports.Count);

        // Clean floor: a trial under it ranks below any feasible one, whatever its robustness.
        var floored = new SearchRun(Sweep(floor: 0.8), new SearchState());
        for (int i = 0; i < 3; i++) floored.Propose([]);
        floored.ReportRung(0, Rung(1, 0.9, validation: 0.5));
        floored.ReportRung(1, Rung(1, 0.1));
        Assert.Equal(1, floored.ReportRung(2, Rung(1, 0.05)).Single(d => d.Action == AshaAction.Promote).Trial);

        var replayed = new SearchRun(Sweep(), state);
        for (int t = 0; t < 4; t++)
        {
            Assert.Equal(run.TargetRung(t), replayed.TargetRung(t));
            Assert.Equal(run.DecisionsOf(t).Select(d => d.Explain()), replayed.DecisionsOf(t).Select(d => d.Explain()));
        }
    }

    [Fact]
    public void ObjectiveIsTheWorstCaseAtTheEpsilonOrPgdAndFlagsDoubtAndTheFloor()
    {
        var objective = new SearchObjective { CleanFloor = 0.7 };
        var outcome = new ExperimentOutcome
        {
            CleanAccuracy = 0.75,
            WorstCases = [new AttackAccuracy("worst-case", 4 / 255.0, 0.5, 100, false), new AttackAccuracy("worst-case", 8 / 255.0, 0.31, 100, false) { Mask = "mask-at-8" }],
            Attacks = [new AttackAccuracy("PGD-20", 8 / 255.0, 0.40, 100, false), new AttackAccuracy("PGD-7", 8 / 255f, 0.38, 100, false),
                new AttackAccuracy("FGSM", 8 / 255.0, 0.2, 100, false)],
        };
        // The per-image result of the chosen measure travels with it (the best is tested against the runner-up on it).
        Assert.Equal(new ObjectiveValue(0.31, "worst-case", 0.75, true, false) { Examples = 100, Mask = "mask-at-8" }, objective.Of(outcome));
        Assert.Equal(new ObjectiveValue(0.38, "PGD-7", 0.75, true, false) { Examples = 100 }, (objective with { Measure = "pgd" }).Of(outcome));
        // No worst case at the epsilon: PGD's number, named as such.
        Assert.Equal("PGD-7", objective.Of(outcome with { WorstCases = [] })!.Measure);
        Assert.Null((objective with { Epsilon255 = 2 }).Of(outcome));
        var doubted = objective.Of(outcome with { MaskingFlags = ["zero-gradient"] })!;
        Assert.True(doubted.Doubted);
        var under = objective.Of(outcome with { CleanAccuracy = 0.6 })!;
        Assert.False(under.Feasible);
        Assert.Equal(0.31 - 1, under.Score, 12);
    }

    [Fact]
    public void ASpentBudgetWithNoTrialAtTheLastRungPromotesTheBestWaitingTrialDurably()
    {
        var state = new SearchState();
        var run = new SearchRun(Sweep(budget: new() { Experiments = 5 }), state);
        for (int i = 0; i < 5; i++) run.Propose([]);
        double[] scores = [0.3, 0.5, 0.1, 0.4, 0.2];
        for (int t = 0; t < 5; t++) run.ReportRung(t, Rung(1, scores[t])); // floor(5/3) = 1 goes on: trial 1
        Assert.Equal(AshaAction.Wait, Assert.Single(run.ReportRung(1, Rung(3, 0.6))).Action); // alone at rung 1: waits
        Assert.Equal(1, run.TargetRung(1));

        Assert.Empty(run.PromoteAtEndOfBudget(_ => false)); // nobody waiting (e.g. all failed): nothing to promote
        var d = Assert.Single(run.PromoteAtEndOfBudget(_ => true));
        Assert.Equal((1, AshaAction.Promote, 1), (d.Trial, d.Action, d.Rung));
        Assert.StartsWith("promoted from rung 1 (3 epochs) at the end of the budget", d.Explain());
        Assert.Equal((2, (int?)null), (run.TargetRung(1), run.StopAtEpoch(1))); // on to the end: all epochs and the suite
        Assert.True(run.PromotedPastItsRung(1));

        var replayed = new SearchRun(Sweep(budget: new() { Experiments = 5 }), state);
        Assert.Equal(2, replayed.TargetRung(1));
        Assert.Equal(run.DecisionsOf(1).Select(x => x.Explain()), replayed.DecisionsOf(1).Select(x => x.Explain()));
        // Once it completes, the search has its result: no further promotion.
        run.ReportOutcome(1, new ExperimentOutcome { CleanAccuracy = 0.8, WorstCases = [new AttackAccuracy("worst-case", 8 / 255.0, 0.5, 100, false)] });
        Assert.Empty(run.PromoteAtEndOfBudget(_ => true));
        Assert.Equal(2, run.Snapshot("s", new byte[5], new Dictionary<int, ExperimentOutcome>()).Trials[1].Rungs.Length - 1); // rungs 0, 1, 2; the promotion is not a rung
    }
}

