using StableSnn.Grains.Model;
using StableSnn.Grains.Search;
using StableSnn.Grains.State;
using StableSnn.Grains.Sweeps;

namespace StableSnn.Grains.Tests.Sweeps;

/// <summary>A search's trials in the sweep's book, without a cluster: proposals, rung decisions, the end of the budget.</summary>
public class SearchTrialsTests
{
    static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    static readonly SweepSpec Spec = new()
    {
        Name = "s", Datasets = ["mnist"], Architectures = ["small-cnn"], Neurons = ["lif"], Modes = ["at"], Seeds = [3], Epochs = 9,
        Search = new SearchSpec { Algorithm = "asha", Seed = 5, Budget = new SearchBudget { Experiments = 3 } }, // rungs 1, 3, 9
    };

    static ExperimentChange AtRung(int trial, int epoch, double robust) => new(trial, ExperimentPhase.Stopped, null, null, 1)
    {
        Rung = new RungMeasurement { Epoch = epoch, ValidationAccuracy = 0.9, ProbeCleanAccuracy = 0.9, ProbeRobustAccuracy = robust, ProbeExamples = 256 },
    };

    static (SearchTrials Trials, SweepBook Book, SweepState State) Started()
    {
        var state = new SweepState { Spec = Spec, Search = new SearchState() };
        var book = new SweepBook(state);
        var trials = new SearchTrials(Spec, state.Search);
        Assert.Equal([0, 1, 2], trials.Propose(book, state.Outcomes, room: 10)); // the budget's three, not the ten places
        return (trials, book, state);
    }

    [Fact]
    public void Proposals_join_the_book_on_offer_within_the_budget()
    {
        var (trials, book, state) = Started();
        Assert.Equal((3, 3), (book.Total, book.Count(ExperimentPhase.Queued)));
        Assert.Equal(3, state.Search!.Trials.Count);
        Assert.Equal([0, 1, 2], trials.Points.Select(p => p.Trial!.Value));
        Assert.Empty(trials.Propose(book, state.Outcomes, room: 10));
        Assert.Equal(1, trials.StopAtEpoch(0));
    }

    [Fact]
    public void A_rung_report_promotes_the_top_third_and_queues_it_again()
    {
        var (trials, book, state) = Started();
        Assert.Equal(AshaAction.Wait, Assert.Single(trials.Changed(book, state.Outcomes, AtRung(0, 1, 0.5), T0).Decisions).Action);
        trials.Changed(book, state.Outcomes, AtRung(1, 1, 0.7), T0);
        var third = trials.Changed(book, state.Outcomes, AtRung(2, 1, 0.6), T0);

        Assert.Equal([(2, AshaAction.Stop), (1, AshaAction.Promote)], third.Decisions.Select(d => (d.Trial, d.Action)));
        Assert.True(third.Durable);
        Assert.Equal([ExperimentPhase.Stopped, ExperimentPhase.Pending, ExperimentPhase.Stopped], Enumerable.Range(0, 3).Select(i => book[i]));
        Assert.Equal([1], book.Take(5, T0));
        Assert.Equal(3, trials.StopAtEpoch(1));

        // The same report re-sent after a restart, while the trial already trains on: nothing changes.
        var repeat = trials.Changed(book, state.Outcomes, AtRung(1, 1, 0.7), T0);
        Assert.Equal((0, false, ExperimentPhase.Queued), (repeat.Decisions.Count, repeat.Durable, book[1]));
    }

    [Fact]
    public void A_trial_the_book_thinks_running_but_that_waits_at_its_old_rung_is_queued_again()
    {
        var (trials, book, state) = Started();
        foreach (var (t, score) in new[] { (0, 0.5), (1, 0.7), (2, 0.6) }) trials.Changed(book, state.Outcomes, AtRung(t, 1, score), T0);
        Assert.Equal([1], book.Take(5, T0));
        book.Report(1, ExperimentPhase.Training, null, T0); // an attempt at rung 1 the book heard of, lost in a restart

        // Its experiment, asked by reconcile, says it waits at rung 0 with no attempt: the book believes it, and it trains on.
        var change = trials.Changed(book, state.Outcomes, AtRung(1, 1, 0.7), T0);
        Assert.Equal((0, true, ExperimentPhase.Pending), (change.Decisions.Count, change.Durable, book[1]));
        Assert.Equal([1], book.Take(5, T0));
        Assert.Equal(3, trials.StopAtEpoch(1)); // still bound for rung 1: the first report stands
    }

    [Fact]
    public void A_spent_budget_with_nothing_running_sends_the_best_waiting_trial_on()
    {
        var (trials, book, state) = Started();
        foreach (var (t, score) in new[] { (0, 0.5), (1, 0.7), (2, 0.6) }) trials.Changed(book, state.Outcomes, AtRung(t, 1, score), T0);
        Assert.False(trials.Spent(book)); // trial 1 waits for a slot
        book.Take(1, T0);
        trials.Changed(book, state.Outcomes, AtRung(1, 3, 0.8), T0); // alone at rung 1: it waits there

        Assert.True(trials.Spent(book));
        var d = Assert.Single(trials.PromoteAtEndOfBudget(book));
        Assert.Equal((1, AshaAction.Promote, true), (d.Trial, d.Action, d.EndOfBudget));
        Assert.Equal(ExperimentPhase.Pending, book[1]);
        Assert.Null(trials.StopAtEpoch(1)); // on to the last rung: trains to the end
    }

    [Fact]
    public void A_restarted_search_releases_a_trial_promoted_but_left_stopped()
    {
        var (trials, book, state) = Started();
        foreach (var (t, score) in new[] { (0, 0.5), (1, 0.7), (2, 0.6) }) trials.Changed(book, state.Outcomes, AtRung(t, 1, score), T0);
        book.Set(1, ExperimentPhase.Stopped); // a turn that recorded the decision but died before acting on it

        var replayed = new SearchTrials(Spec, state.Search!);
        var again = new SweepBook(state);
        Assert.Equal([1], replayed.ReleasePromoted(again));
        Assert.Equal(ExperimentPhase.Pending, again[1]);
    }
}
