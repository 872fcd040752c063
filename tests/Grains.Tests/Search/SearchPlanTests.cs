using StableSnn.Grains.Search;

namespace StableSnn.Grains.Tests.Search;

/// <summary>The planner on budgets worked out by hand (rungs at 1, 3, 9 epochs for minEpochs 1, eta 3, 9 epochs).</summary>
public sealed class SearchPlanTests
{
    static SearchSpec Asha(SearchBudget budget, int minEpochs = 1, int eta = 3) =>
        new() { Algorithm = "asha", Budget = budget, Asha = new AshaSettings { MinEpochs = minEpochs, Eta = eta } };

    [Fact]
    public void Nine_trials_at_eta_3_finish_one_and_are_refused_with_what_would_work()
    {
        var plan = SearchPlanner.Plan(Asha(new SearchBudget { Experiments = 9 }), epochs: 9);

        Assert.Equal([9, 3, 1], plan.Rungs.Select(r => r.Trials));
        Assert.Equal([1, 3, 9], plan.Rungs.Select(r => r.Epochs));
        // 6 stop at 1 epoch, 2 at 3, 1 trains all 9: 6 + 6 + 9 = 21 (what bench/search-vs-grid.sh measured); probes 9 + 3.
        Assert.Equal((21L, 12, 1), (plan.TrainerEpochs, plan.Probes, plan.Finishing));
        Assert.True(plan.Refused);
        var refusal = SearchPlanner.Refusal(Asha(new SearchBudget { Experiments = 9 }), 9)!;
        // 18 trials: 18 -> 6 -> 2, 12 + 12 + 18 = 42 epochs. minEpochs 3: 9 -> 3, 6 x 3 + 3 x 9 = 45. eta 2 (9 -> 4 -> 2 -> 1 -> 1) fails too.
        Assert.Contains("2x the budget (experiments 18: 2 finish, 42 trainer-epochs)", refusal);
        Assert.Contains("minEpochs: 3 (9 at 3 epochs -> 3 at 9 epochs; 45 trainer-epochs)", refusal);
        Assert.DoesNotContain("eta: 2", refusal);
    }

    [Fact]
    public void A_trainer_epoch_budget_buys_the_largest_trial_count_that_fits()
    {
        // 23 trials: 23 -> 7 -> 2, 16 x 1 + 5 x 3 + 2 x 9 = 49 <= 50; 24 trials: 24 -> 8 -> 2, 16 + 18 + 18 = 52 > 50.
        var plan = SearchPlanner.Plan(Asha(new SearchBudget { TrainerEpochs = 50 }), epochs: 9);

        Assert.Equal(23, plan.Trials);
        Assert.Equal([23, 7, 2], plan.Rungs.Select(r => r.Trials));
        Assert.Equal(49, plan.TrainerEpochs);
        Assert.Equal("budget.trainerEpochs 50", plan.LimitedBy);
        Assert.False(plan.Refused);
    }

    [Fact]
    public void Slot_hours_are_planned_from_measured_costs_and_left_unplanned_without_them()
    {
        var random = new SearchSpec { Algorithm = "random", Budget = new SearchBudget { SlotHours = 0.5 } };

        // Every random trial trains 3 epochs (3 x 100 s) and is evaluated (60 s): 360 s each, 1,800 s buy 5.
        var priced = SearchPlanner.Plan(random, epochs: 3, new StepCosts(EpochSeconds: 100, FinalSeconds: 60));
        Assert.Equal((5, 5, 15L), (priced.Trials, priced.Finishing, priced.TrainerEpochs));
        Assert.Equal(1800, priced.Seconds!.Value, 9);

        var unpriced = SearchPlanner.Plan(random, epochs: 3);
        Assert.Empty(unpriced.Rungs);
        Assert.Contains(unpriced.Notes, n => n.StartsWith("budget.slotHours 0.5 is not planned", StringComparison.Ordinal));
        Assert.Null(SearchPlanner.Refusal(random, 3)); // unknown is not refused: the engine spends the hours
    }

    [Fact]
    public void Each_rung_keeps_at_least_one_trial_and_one_random_trial_is_refused()
    {
        // 4 trials: floor(4/3) = 1, then floor(1/3) = 0 but the engine promotes the best waiting trial: 1.
        Assert.Equal([4, 1, 1], SearchPlanner.Plan(Asha(new SearchBudget { Experiments = 4 }), 9).Rungs.Select(r => r.Trials));

        var one = new SearchSpec { Algorithm = "tpe", Budget = new SearchBudget { Experiments = 1 } };
        var refusal = SearchPlanner.Refusal(one, 5);
        Assert.NotNull(refusal);
        Assert.StartsWith("search.budget: this plan finishes 1 trial", refusal);
        Assert.Contains("experiments 2: 2 finish, 10 trainer-epochs", refusal);
        Assert.Null(SearchPlanner.Refusal(one with { Budget = new SearchBudget { Experiments = 2 } }, 5));
    }

    [Fact]
    public void Unmeasured_probes_are_priced_at_their_share_of_an_epoch()
    {
        // 18 trials: 18 -> 6 -> 2 (42 trainer-epochs, 24 probes, 2 finals). Epoch 10 s, final 100 s, probe unmeasured:
        // at most half an epoch (5 s): 420 + 24 x 5 + 2 x 100 = 740 s. Measured probe seconds (2 s) win: 420 + 48 + 200.
        var search = Asha(new SearchBudget { Experiments = 18 });
        Assert.Equal(740, SearchPlanner.Plan(search, 9, new StepCosts(EpochSeconds: 10, FinalSeconds: 100)).Seconds!.Value, 9);
        Assert.Equal(668, SearchPlanner.Plan(search, 9, new StepCosts(EpochSeconds: 10, ProbeSeconds: 2, FinalSeconds: 100)).Seconds!.Value, 9);
        var uncapped = search with { Asha = search.Asha with { ProbeEpochFraction = 0 } };
        Assert.Equal(620, SearchPlanner.Plan(uncapped, 9, new StepCosts(EpochSeconds: 10, FinalSeconds: 100)).Seconds!.Value, 9);
        Assert.Null(uncapped.Asha.Probe(8).EpochFraction);
        Assert.Equal(0.5, search.Asha.Probe(8).EpochFraction);
        Assert.Contains(search.Asha with { ProbeEpochFraction = 1.5 } is var bad ? bad.Validate(9) : [],
            e => e.StartsWith("search.asha.probeEpochFraction: 1.5 must be in [0, 1]", StringComparison.Ordinal));
    }
}
