using StableSnn.Grains.Search;

namespace StableSnn.Grains.Model;

/// <summary>A search at a glance: its trials with their rungs and reasons, the best so far and the budget spent.</summary>
[GenerateSerializer, Alias("StableSnn.SearchSnapshot")]
public sealed record SearchSnapshot
{
    [Id(0)] public SearchSpec Spec { get; init; } = new();
    /// <summary>Epochs of each ASHA rung (the last is the sweep's epochs); empty for other algorithms.</summary>
    [Id(1)] public int[] RungEpochs { get; init; } = [];
    [Id(2)] public TrialSnapshot[] Trials { get; init; } = [];
    /// <summary>The completed, feasible trial with the highest objective; null while there is none.</summary>
    [Id(3)] public int? BestTrial { get; init; }
    [Id(4)] public long TrainerEpochs { get; init; }
    [Id(5)] public double SlotSeconds { get; init; }
    /// <summary>No new trial will be proposed (the budget is spent).</summary>
    [Id(6)] public bool BudgetSpent { get; init; }
    /// <summary>Trials on the clean/robust Pareto front, clean accuracy descending.</summary>
    [Id(7)] public int[] ParetoFront { get; init; } = [];
    /// <summary>Every rung report in arrival order: replaying it through the policy gives every decision shown.</summary>
    [Id(8)] public State.TrialRungReport[] History { get; init; } = [];

    public TrialSnapshot? Best => BestTrial is { } n ? Trials.FirstOrDefault(t => t.Number == n) : null;
}

/// <summary>One trial: where it is, what it measured at each rung, why it was promoted or stopped, and its objective.</summary>
[GenerateSerializer, Alias("StableSnn.TrialSnapshot")]
public sealed record TrialSnapshot
{
    [Id(0)] public int Number { get; init; }
    [Id(1)] public string Key { get; init; } = "";
    [Id(2)] public GridPoint Point { get; init; } = null!;
    [Id(3)] public ExperimentPhase Phase { get; init; }
    /// <summary>The rung it trains towards (ASHA); the last rung means it runs to completion.</summary>
    [Id(4)] public int TargetRung { get; init; }
    /// <summary>Its rung reports in order (rung index, score, measurement at inner rungs).</summary>
    [Id(5)] public RungScore[] Rungs { get; init; } = [];
    /// <summary>Every ASHA decision about it, explained ("stopped at rung 0 (1 epochs): score ... cut-off ...").</summary>
    [Id(6)] public string[] Decisions { get; init; } = [];
    [Id(7)] public ObjectiveValue? Objective { get; init; }
    [Id(8)] public double SlotSeconds { get; init; }
    /// <summary>Epochs it has trained (or is training to).</summary>
    [Id(9)] public int Epochs { get; init; }
    /// <summary>
    /// Stopped at a rung but still eligible for promotion: waiting for its cohort, or held within paired noise of the
    /// leader (its last decision). Stopped and paused trials share the Stopped phase (checkpoint kept, promotable).
    /// </summary>
    [Id(10)] public bool Paused { get; init; }
}

[GenerateSerializer, Alias("StableSnn.RungScore")]
public sealed record RungScore(
    [property: Id(0)] int Rung,
    [property: Id(1)] int Epoch,
    [property: Id(2)] double Score,
    [property: Id(3)] RungMeasurement? Measurement);
