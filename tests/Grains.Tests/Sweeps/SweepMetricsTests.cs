using StableSnn.Grains.Model;
using StableSnn.Grains.Search;
using StableSnn.Grains.State;
using StableSnn.Grains.Sweeps;

namespace StableSnn.Grains.Tests.Sweeps;

/// <summary>A sweep's metrics publisher and its pacing, without a cluster.</summary>
public class SweepMetricsTests
{
    static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_paced_job_may_run_again_nine_times_its_duration_later()
    {
        var pacer = new Pacer();
        Assert.True(pacer.Due(T0));
        pacer.Ran(TimeSpan.FromSeconds(1), T0);
        Assert.False(pacer.Due(T0.AddSeconds(8.9)));
        Assert.True(pacer.Due(T0.AddSeconds(9)));
    }

    [Fact]
    public void Accuracy_is_aggregated_once_a_point_ends_and_not_again_until_something_changes()
    {
        var spec = new SweepSpec { Name = "m", Datasets = ["mnist"], Architectures = ["small-cnn"], Alphas = [0, 1], Seeds = [1],
            Search = new SearchSpec { Algorithm = "grid", Objective = new SearchObjective { Measure = "pgd" } } };
        var state = new SweepState { Spec = spec, Phases = new byte[2] };
        var book = new SweepBook(state);
        var grid = StableSnn.Grains.Policy.GridExpansion.Lazy(spec);
        var metrics = new SweepMetrics("m-test", spec);

        var fresh = metrics.Publish(state, book, grid, T0);
        Assert.Empty(fresh.Accuracy);
        Assert.Null(fresh.BestObjective);

        book.Take(2, T0);
        book.Report(1, ExperimentPhase.Completed, null, T0);
        state.Outcomes[1] = new ExperimentOutcome
        {
            CleanAccuracy = 0.9, Examples = 100, Attacks = [new AttackAccuracy("PGD-7", 8 / 255.0, 0.4, 100, false)],
        };
        var first = metrics.Publish(state, book, grid, T0.AddHours(1));
        Assert.Equal(["clean", "PGD-7@0.0314"], first.Accuracy.Select(r => r.Label));
        Assert.Equal(0.4, first.BestObjective);
        Assert.Equal(1, first.Counts[(int)ExperimentPhase.Completed]);

        var again = metrics.Publish(state, book, grid, T0.AddHours(2));
        Assert.Same(first.Accuracy, again.Accuracy); // nothing ended since: no second O(grid) pass
        metrics.Stop();
    }
}
