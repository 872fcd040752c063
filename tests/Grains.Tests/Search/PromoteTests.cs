using StableSnn.Contracts;
using StableSnn.Grains.Model;
using StableSnn.Grains.Search;
using StableSnn.Grains.State;

namespace StableSnn.Grains.Tests.Search;

/// <summary>Repechage (issue 26, part 2): an operator promotes a trial waiting at a rung, and a restart replays it.</summary>
public class PromoteTests
{
    static RungReport Report(int trial, int right) => new(trial, 0, right / 20.0)
    {
        Mask = ExampleMask.Pack([.. Enumerable.Range(0, 20).Select(i => i < right)]), Examples = 20,
    };

    [Fact]
    public void AnOperatorPromotesATrialTheRungsPairedTestStopped()
    {
        // eta 2: t0 15 and t1 14 of 20, then t2 5: outside the top 1, 10 images robust for t0 only: stopped (p = 0.002).
        var (state, steps) = new AshaPolicy(1, 2, 4, stopSignificance: 0.05).Replay([Report(0, 15), Report(1, 14), Report(2, 5)]);
        Assert.True(state.IsStoppedByTest(2, 0));
        var step = state.Apply(new RungReport(2, 0, 0.25) { ByOperator = true });
        Assert.Equal(AshaAction.Promote, step.Decision.Action);
        Assert.True(step.State.IsPromoted(2, 0));
        Assert.Equal("promoted from rung 0 (1 epoch) by an operator (stablesnn promote): score 0.25 ranks 3 of 3; the rung had stopped it " +
                     "(10 probe images robust for the leader t000 only, 0 for this trial only, McNemar p = 0.002 < 0.05)", step.Decision.Explain());
        Assert.Throws<InvalidOperationException>(() => step.State.Apply(new RungReport(2, 0, 0.25) { ByOperator = true })); // promoted already
        Assert.Throws<InvalidOperationException>(() => state.Apply(new RungReport(5, 0, 0.5) { ByOperator = true }));     // never reported
    }

    static SweepSpec Sweep(string algorithm = "asha", string? cohorts = null) => new()
    {
        Name = "s", Datasets = ["mnist"], Architectures = ["small-cnn"], Neurons = ["lif"], Modes = ["at"], Seeds = [3], Epochs = 9,
        Search = new SearchSpec
        {
            Algorithm = algorithm, Seed = 5, Budget = new SearchBudget { Experiments = 3 },
            Space = new SearchSpace(SearchDimension.LogUniform("alpha", 0.01, 10)), Asha = new AshaSettings { MinEpochs = 1, Eta = 3, Cohorts = cohorts ?? new AshaSettings().Cohorts },
        },
    };

    static RungMeasurement Rung(int epoch, double robust) =>
        new() { Epoch = epoch, ValidationAccuracy = 0.9, ProbeRobustAccuracy = robust, ProbeCleanAccuracy = 0.9, ProbeExamples = 256 };

    [Fact]
    public void APromotionTrainsToTheNextRungAndARestartReplaysIt()
    {
        var state = new SearchState();
        var run = new SearchRun(Sweep(), state);
        for (var i = 0; i < 3; i++) run.Propose([]);
        run.ReportRung(0, Rung(1, 0.3));
        run.ReportRung(1, Rung(1, 0.2));
        run.ReportRung(2, Rung(1, 0.1)); // floor(3/3) = 1: t0 goes on, t1 and t2 wait (classic ASHA, no masks)
        Assert.Equal(1, run.StopAtEpoch(1));

        var decision = run.Promote(1);
        Assert.Equal(AshaAction.Promote, decision.Action);
        Assert.Equal("promoted from rung 0 (1 epoch) by an operator (stablesnn promote): score 0.2 ranks 2 of 3; the rung had not promoted it", decision.Explain());
        Assert.Equal(3, run.StopAtEpoch(1));
        Assert.True(run.PromotedPastItsRung(1));

        var replayed = new SearchRun(Sweep(), state);
        Assert.Equal(3, replayed.StopAtEpoch(1));
        Assert.Equal(decision.Explain(), replayed.DecisionsOf(1)[^1].Explain());
        Assert.Single(replayed.Snapshot("s", [], new Dictionary<int, ExperimentOutcome>()).Trials[1].Rungs); // the promotion is no rung score

        var e = Assert.Throws<InvalidOperationException>(() => replayed.Promote(1));
        Assert.Equal("trial 1 has not reported at rung 1 (3 epochs): it is still on its way there, or failed", e.Message);
        Assert.Throws<InvalidOperationException>(() => replayed.Promote(7));
        var random = new SearchRun(Sweep("random"), new SearchState());
        random.Propose([]);
        Assert.Equal("only an ASHA search stops trials at rungs; this one is random", Assert.Throws<InvalidOperationException>(() => random.Promote(0)).Message);
    }

    [Fact]
    public void ATrialWaitingForItsCohortIsPausedNotStoppedUntilTheCohortDecides()
    {
        var run = new SearchRun(Sweep(cohorts: AshaSettings.Sync), new SearchState());
        Assert.Equal(3, run.CohortTrials);
        for (var i = 0; i < 3; i++) run.Propose([]);
        var stopped = (byte)ExperimentPhase.Stopped;
        run.ReportRung(0, Rung(1, 0.3));
        run.ReportRung(1, Rung(1, 0.2));
        var waiting = run.Snapshot("s", [stopped, stopped, (byte)ExperimentPhase.Training], new Dictionary<int, ExperimentOutcome>()).Trials;
        Assert.Equal([true, true, false], waiting.Select(t => t.Paused));

        run.ReportRung(2, Rung(1, 0.1)); // the cohort of 3 is complete: t0 goes on, t1 and t2 are stopped there
        var decided = run.Snapshot("s", [(byte)ExperimentPhase.Pending, stopped, stopped], new Dictionary<int, ExperimentOutcome>()).Trials;
        Assert.Equal([false, false, false], decided.Select(t => t.Paused));
        Assert.Equal(AshaAction.Stop, run.DecisionsOf(1)[^1].Action);
    }
}
