using System.Diagnostics;
using StableSnn.Grains.Model;
using StableSnn.Grains.Results;
using StableSnn.Grains.Search;
using StableSnn.Grains.State;
using StableSnn.Grains.Telemetry;

namespace StableSnn.Grains.Sweeps;

/// <summary>
/// One sweep's figures for the metrics registry (<see cref="EngineMetrics"/>): phase counts every time, and the
/// accuracy per grid point and the search's best objective, which cost O(grid), only when they can have changed and
/// at most as often as <see cref="Pacer"/> allows.
/// </summary>
public sealed class SweepMetrics(string sweep, SweepSpec spec)
{
    readonly Pacer _aggregation = new();
    (int Outcomes, int Terminal) _aggregatedAt = (-1, -1);
    IReadOnlyList<ResultRow> _accuracy = [];
    double? _bestObjective;

    /// <summary>Starts this sweep's counter series at zero (read as "none yet", not as missing data).</summary>
    public void Start()
    {
        EngineMetrics.InitialiseSweep(sweep);
        if (spec.Search is not null) EngineMetrics.InitialiseSearch(sweep);
    }

    /// <summary>The silo that activates the sweep next publishes it.</summary>
    public void Stop() => EngineMetrics.RemoveSweep(sweep);

    /// <summary>Publishes the sweep's figures; <paramref name="force"/> aggregates at once (the sweep just finished).</summary>
    public EngineMetrics.SweepFigures Publish(SweepState state, SweepBook book, IReadOnlyList<GridPoint> grid, DateTimeOffset now, bool force = false)
    {
        // A grid point's accuracy appears once all its seeds have ended: aggregate again only when that can change.
        var at = (state.Outcomes.Count, book.Terminal);
        if (at != _aggregatedAt && (force || _aggregation.Due(now)))
        {
            _aggregatedAt = at;
            var clock = Stopwatch.StartNew();
            // Nothing ended yet (a fresh submit): no group can be complete, so skip the O(grid) grouping.
            _accuracy = book.Terminal == 0 ? [] : EngineMetrics.Aggregate(grid, state.Phases, state.Outcomes);
            _bestObjective = BestObjective(state.Outcomes.Values);
            _aggregation.Ran(clock.Elapsed, now);
        }
        var figures = new EngineMetrics.SweepFigures(state.Status == SweepStatus.Active, book.Counts, state.SubmittedAt,
            state.FinishedAt, _accuracy) { BestObjective = _bestObjective };
        EngineMetrics.PublishSweep(sweep, figures);
        return figures;
    }

    public void Proposed(int trials)
    {
        for (int i = 0; i < trials; i++) EngineMetrics.SearchTrial(sweep, "proposed");
    }

    /// <summary>A trial of a search without rungs completed.</summary>
    public void Completed() => EngineMetrics.SearchTrial(sweep, "completed");

    public void Decided(IEnumerable<AshaDecision> decisions)
    {
        foreach (var d in decisions)
            EngineMetrics.SearchTrial(sweep, d.Action switch
            {
                AshaAction.Promote => "promoted", AshaAction.Stop => "stopped", AshaAction.Hold => "held", AshaAction.Wait => "paused", _ => "completed",
            });
    }

    /// <summary>The highest robust accuracy among completed trials that meet the clean floor (null for a grid).</summary>
    double? BestObjective(IEnumerable<ExperimentOutcome> outcomes)
    {
        if (spec.Search is not { } search) return null;
        double? best = null;
        foreach (var outcome in outcomes)
            if (search.Objective.Of(outcome) is { Feasible: true } value && (best is null || value.Robust > best)) best = value.Robust;
        return best;
    }
}
