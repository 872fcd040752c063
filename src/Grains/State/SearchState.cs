using StableSnn.Grains.Model;

namespace StableSnn.Grains.State;

/// <summary>
/// Durable part of a search, kept in its sweep's state: the trials proposed so far and every rung report in the order
/// it arrived. Decisions are not stored: replaying the reports gives exactly the decisions made the first time.
/// </summary>
[GenerateSerializer, Alias("StableSnn.SearchState")]
public sealed class SearchState
{
    /// <summary>Trial n's searched values, in the search space's order; trial n is the sweep's grid index n.</summary>
    [Id(0)] public List<double[]> Trials { get; set; } = [];
    [Id(1)] public List<TrialRungReport> Reports { get; set; } = [];
    /// <summary>Wall seconds of every attempt per trial, as its experiment last reported them.</summary>
    [Id(2)] public Dictionary<int, double> SlotSeconds { get; set; } = [];
    /// <summary>
    /// The planned trials whose funnel sizes the cohorts, fixed when the search starts (0: asynchronous rungs), so a
    /// restart replays the same cohorts whatever a later planner would say; null in searches stored before it was kept.
    /// </summary>
    [Id(3)] public int? CohortPlan { get; set; }
}

/// <summary>
/// Trial <see cref="Trial"/> reached rung <see cref="Rung"/>: the probe at an inner rung, the full result at the last.
/// With <see cref="EndOfBudget"/> it is the search's promotion of that trial from that rung once the budget was spent.
/// </summary>
[GenerateSerializer, Alias("StableSnn.TrialRungReport")]
public sealed record TrialRungReport(
    [property: Id(0)] int Trial,
    [property: Id(1)] int Rung,
    [property: Id(2)] double Score,
    [property: Id(3)] RungMeasurement? Measurement)
{
    [Id(4)] public bool EndOfBudget { get; init; }
    /// <summary>Not a report: an operator's promotion (`stablesnn promote`) of a trial waiting at this rung, replayed like one.</summary>
    [Id(5)] public bool ByOperator { get; init; }
}
