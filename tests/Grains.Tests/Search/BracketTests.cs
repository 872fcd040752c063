using StableSnn.Grains.Model;
using StableSnn.Grains.Search;
using StableSnn.Grains.State;

namespace StableSnn.Grains.Tests.Search;

/// <summary>Hyperband brackets over ASHA (search.asha.brackets): planned, decided and replayed without a cluster.</summary>
public class BracketTests
{
    // 9 epochs, eta 3: rungs at 1, 3 and 9 epochs. Bracket b starts at rung b; bracket 2 trains to the end.
    static SearchSpec Asha(int trials, int brackets, string? cohorts = null) => new()
    {
        Algorithm = "asha", Seed = 5, Budget = new SearchBudget { Experiments = trials },
        Asha = new AshaSettings { MinEpochs = 1, Eta = 3, Brackets = brackets, Cohorts = cohorts },
    };

    static SweepSpec Sweep(SearchSpec search) => new()
    {
        Name = "s", Datasets = ["mnist"], Architectures = ["small-cnn"], Neurons = ["lif"], Modes = ["at"], Seeds = [3], Epochs = 9,
        Search = search,
    };

    static RungMeasurement Rung(int epoch, double robust) =>
        new() { Epoch = epoch, ValidationAccuracy = 0.9, ProbeRobustAccuracy = robust, ProbeCleanAccuracy = 0.9, ProbeExamples = 256 };

    [Fact]
    public void Three_brackets_hedge_a_plan_that_plain_asha_refuses()
    {
        // Plain ASHA, 9 trials: 9 -> 3 -> 1, one finishes: refused.
        Assert.True(SearchPlanner.Plan(Asha(9, 1), 9).Refused);

        // Three brackets of 3 (round robin). Bracket 0: 3 -> 1 -> 1, trains 2*1 + 0*3 + 1*9 = 11 epochs, probes 3 + 1.
        // Bracket 1 (from 3 epochs): 3 -> 1, trains 2*3 + 1*9 = 15, probes 3. Bracket 2: its 3 train 9 epochs each, 27, no probe.
        var plan = SearchPlanner.Plan(Asha(9, 3), 9, new StepCosts(EpochSeconds: 10, ProbeSeconds: 5, FinalSeconds: 100));
        Assert.False(plan.Refused);
        Assert.Equal([3, 4, 5], plan.Rungs.Select(r => r.Trials)); // 3 at rung 0; 1 + 3 at rung 1; 1 + 1 + 3 at rung 2
        Assert.Equal((11 + 15 + 27L, 7, 5), (plan.TrainerEpochs, plan.Probes, plan.Finishing));
        Assert.Equal(53 * 10 + 7 * 5 + 5 * 100, plan.Seconds!.Value, 9);
        Assert.Contains("brackets: 3, trials round robin by number; bracket 0 from 1 epoch: 3 -> 1 -> 1; bracket 1 from 3 epochs: 3 -> 1; " +
            "bracket 2 trains its 3 to 9 epochs (never stops early)", plan.Notes);

        // Ten trials: round robin gives 4, 3 and 3.
        Assert.Equal([4, 3, 3], Enumerable.Range(0, 3).Select(b => AshaSettings.BracketTrials(10, 3, b)));
        Assert.Equal([4, 1 + 3, 1 + 1 + 3], SearchPlanner.Plan(Asha(10, 3), 9).Rungs.Select(r => r.Trials));
    }

    [Fact]
    public void Brackets_are_validated_against_the_rungs()
    {
        Assert.Contains("search.asha.brackets: 4 is more than the 3 rungs (1, 3, 9 epochs); bracket b starts at rung b, so use at most 3 " +
            "(the last then trains every trial it gets to the end)", Asha(9, 4).Validate(9));
        Assert.Contains("search.asha.brackets: 0 must be at least 1 (1 is plain ASHA)", Asha(9, 0).Validate(9));
        Assert.DoesNotContain(Asha(9, 3).Validate(9), e => e.Contains("brackets", StringComparison.Ordinal));
    }

    [Fact]
    public void Each_trial_starts_at_its_brackets_first_rung_and_is_decided_within_its_bracket()
    {
        var state = new SearchState();
        var run = new SearchRun(Sweep(Asha(6, 3)), state);
        for (int t = 0; t < 6; t++) run.Propose([]);
        Assert.Equal([0, 1, 2, 0, 1, 2], Enumerable.Range(0, 6).Select(run.BracketOf));
        Assert.Equal(new int?[] { 1, 3, null, 1, 3, null }, Enumerable.Range(0, 6).Select(run.StopAtEpoch)); // bracket 2: to the end, no probe
        Assert.Equal([0, 1, 2, 0, 1, 2], Enumerable.Range(0, 6).Select(run.TargetRung));

        Assert.Empty(run.ReportRung(1, Rung(1, 0.9))); // below its bracket: not a report it can make
        var d = Assert.Single(run.ReportRung(1, Rung(3, 0.6)));
        Assert.Equal((1, AshaAction.Wait, 1, 3, 1), (d.Trial, d.Action, d.Rung, d.RungEpochs, d.Bracket));
        Assert.StartsWith("paused at rung 1 (3 epochs, bracket 1): score 0.6 ranks 1 of 1", d.Explain());
        // Bracket 0's rung 0 has only its own trials: trial 1's report there does not count towards floor(n/eta).
        Assert.Equal(1, Assert.Single(run.ReportRung(0, Rung(1, 0.5))).TrialsAtRung);

        var outcome = new ExperimentOutcome
        {
            CleanAccuracy = 0.9, Examples = 100, WorstCases = [new AttackAccuracy("worst-case", 8 / 255.0, 0.55, 100, false)],
        };
        var done = Assert.Single(run.ReportOutcome(2, outcome));
        Assert.Equal((AshaAction.Complete, 2, 2), (done.Action, done.Rung, done.Bracket));

        // A restart replays the stored reports into the same brackets: the same decisions and targets.
        var again = new SearchRun(Sweep(Asha(6, 3)), state);
        Assert.All(Enumerable.Range(0, 6), t =>
        {
            Assert.Equal(run.DecisionsOf(t).Select(x => x.Explain()), again.DecisionsOf(t).Select(x => x.Explain()));
            Assert.Equal(run.TargetRung(t), again.TargetRung(t));
        });
    }

    [Fact]
    public void At_the_end_of_the_budget_each_bracket_without_a_finished_trial_sends_its_best_waiting_trial_on()
    {
        var state = new SearchState();
        var run = new SearchRun(Sweep(Asha(6, 3)), state);
        for (int t = 0; t < 6; t++) run.Propose([]);
        run.ReportRung(0, Rung(1, 0.80)); // bracket 0, rung 0: fewer than eta, both wait
        run.ReportRung(3, Rung(1, 0.70));
        run.ReportRung(1, Rung(3, 0.50)); // bracket 1, rung 1: both wait there
        run.ReportRung(4, Rung(3, 0.60));
        var waiting = new HashSet<int> { 0, 1, 3, 4 }; // bracket 2's trials 2 and 5 failed: nothing of theirs waits

        var decisions = run.PromoteAtEndOfBudget(waiting.Contains);
        Assert.Equal([(0, 0, 0), (4, 1, 1)], decisions.Select(d => (d.Trial, d.Rung, d.Bracket!.Value)));
        Assert.All(decisions, d => Assert.True(d is { Action: AshaAction.Promote, EndOfBudget: true }));
        Assert.Equal((3, (int?)null), (run.StopAtEpoch(0), run.StopAtEpoch(4))); // one rung on: to 3 epochs, and to the end
        Assert.Equal(run.DecisionsOf(4).Select(d => d.Explain()), new SearchRun(Sweep(Asha(6, 3)), state).DecisionsOf(4).Select(d => d.Explain()));

        var other = new SearchRun(Sweep(Asha(6, 3)), new SearchState());
        for (int t = 0; t < 6; t++) other.Propose([]);
        other.ReportRung(0, Rung(1, 0.80));
        other.ReportOutcome(2, new ExperimentOutcome
        {
            CleanAccuracy = 0.9, Examples = 100, WorstCases = [new AttackAccuracy("worst-case", 8 / 255.0, 0.5, 100, false)],
        });
        // Bracket 2 finished a trial; bracket 0 has not, so its best goes on; bracket 1 has nobody waiting.
        Assert.Equal([0], other.PromoteAtEndOfBudget(_ => true).Select(d => d.Trial));
        Assert.Empty(other.PromoteAtEndOfBudget(_ => true)); // promoted already: nothing else waits at a rung it can leave
    }

    [Fact]
    public void An_epoch_budget_counts_what_the_next_trials_bracket_commits()
    {
        // Asynchronous, 3 brackets: trial 0 commits 1 epoch, trial 1 3 (its bracket starts at rung 1), trial 2 all 9.
        // With 12 trainer-epochs, trial 2 would take the committed epochs from 4 to 13: it is not proposed.
        var search = Asha(100, 3) with { Budget = new SearchBudget { TrainerEpochs = 12 } };
        var run = new SearchRun(Sweep(search), new SearchState());
        while (run.BudgetLeft) run.Propose([]);
        Assert.Equal((2, 4L), (run.TrialCount, run.TrainerEpochs));
    }

    [Fact]
    public void Cohorts_are_per_bracket_funnels_of_the_trials_round_robin_sends_there()
    {
        var policies = new AshaSettings { Brackets = 3 }.BracketPolicies(9, cohortTrials: 10);
        Assert.Equal(new[] { new[] { 4, 1, 1 }, [3, 1], [3] }, policies.Select(p => p.Cohorts!.ToArray()));
        Assert.Equal(new[] { new[] { 1, 3, 9 }, [3, 9], [9] }, policies.Select(p => p.RungEpochs.ToArray()));
        Assert.Null(new AshaSettings { Brackets = 3 }.BracketPolicies(9, cohortTrials: 2)[2].Cohorts); // round robin sends bracket 2 nothing
    }
}
