using StableSnn.Grains.Model;
using StableSnn.Grains.State;
using StableSnn.Grains.Sweeps;

namespace StableSnn.Grains.Tests.Sweeps;

/// <summary>The sweep's book of grid points, without a cluster.</summary>
public class SweepBookTests
{
    static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    static SweepBook Book(int points, out SweepState state, params (int Index, ExperimentPhase Phase)[] phases)
    {
        state = new SweepState { Phases = new byte[points] };
        foreach (var (i, p) in phases) state.Phases[i] = (byte)p;
        return new SweepBook(state);
    }

    [Fact]
    public void Fresh_points_are_offered_once_in_grid_order_and_counted()
    {
        var book = Book(5, out var state);
        Assert.Equal([0, 1, 2], book.Take(3, T0));
        Assert.Equal([3, 4], book.Take(10, T0));
        Assert.Empty(book.Take(10, T0));
        Assert.Equal(5, book.Count(ExperimentPhase.Queued));
        Assert.All(state.Phases, p => Assert.Equal((byte)ExperimentPhase.Queued, p));
        Assert.Equal(5, book.Active);
    }

    [Fact]
    public void A_retry_waits_out_its_back_off_then_runs_before_fresh_points()
    {
        var book = Book(4, out var state);
        book.Take(2, T0);
        Assert.Equal(ExperimentPhase.Pending, book.Report(1, ExperimentPhase.Queued, T0.AddSeconds(5), T0));
        Assert.True(state.NotBefore.ContainsKey(1));
        Assert.Equal([2], book.Take(1, T0.AddSeconds(4))); // still backing off
        Assert.Equal([1, 3], book.Take(2, T0.AddSeconds(5)));
        Assert.Empty(state.NotBefore);
    }

    [Fact]
    public void A_requeue_without_back_off_goes_first()
    {
        var book = Book(3, out _);
        book.Take(1, T0);
        book.Report(0, ExperimentPhase.Queued, null, T0);
        Assert.Equal([0, 1], book.Take(2, T0));
    }

    [Fact]
    public void Cancel_ends_everything_not_running_except_stopped_trials()
    {
        var book = Book(5, out _, (1, ExperimentPhase.Training), (2, ExperimentPhase.Completed), (3, ExperimentPhase.Stopped));
        Assert.Equal([1], book.Cancel());
        Assert.Equal([ExperimentPhase.Cancelled, ExperimentPhase.Training, ExperimentPhase.Completed, ExperimentPhase.Stopped, ExperimentPhase.Cancelled],
            Enumerable.Range(0, 5).Select(i => book[i]));
        Assert.Empty(book.Take(5, T0));
        Assert.Equal(1, book.Running);
    }

    [Fact]
    public void Offers_lost_with_an_activation_or_the_scheduler_are_made_again()
    {
        var book = Book(3, out var state, (0, ExperimentPhase.Queued), (1, ExperimentPhase.Queued));
        Assert.Equal(3, book.Count(ExperimentPhase.Pending)); // queued by a dead activation: runnable again
        Assert.Equal([0, 1, 2], book.Take(3, T0));
        Assert.Empty(book.Take(3, T0));
        book.Reoffer(); // a reconcile after the scheduler restarted
        Assert.Equal([0, 1, 2], book.Take(3, T0));
        Assert.Equal(3, new SweepBook(state).Count(ExperimentPhase.Pending));
    }

    [Fact]
    public void Reports_move_points_and_the_sweep_ends_when_all_have()
    {
        var book = Book(2, out _);
        book.Take(2, T0);
        book.Report(0, ExperimentPhase.Training, null, T0);
        Assert.Equal([0], book.In(ExperimentPhaseExtensions.IsRunning));
        Assert.Equal(1, book.Running);
        book.Report(0, ExperimentPhase.Completed, null, T0);
        Assert.False(book.AllEnded);
        book.Report(1, ExperimentPhase.Failed, null, T0);
        Assert.True(book.AllEnded);
        Assert.Equal([1], book.In(ExperimentPhase.Failed));
    }

    [Fact]
    public void A_proposed_point_is_added_on_offer()
    {
        var book = Book(1, out var state, (0, ExperimentPhase.Completed));
        Assert.Equal(1, book.AddOffered());
        Assert.Equal((2, ExperimentPhase.Queued), (state.Phases.Length, book[1]));
        Assert.Empty(book.Take(5, T0)); // already on offer
    }
}
