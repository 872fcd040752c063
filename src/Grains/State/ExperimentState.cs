using StableSnn.Grains.Model;

namespace StableSnn.Grains.State;

/// <summary>Durable state of one experiment: where it is in its lifecycle and every attempt so far.</summary>
[GenerateSerializer, Alias("StableSnn.ExperimentState")]
public sealed class ExperimentState
{
    [Id(0)] public string Sweep { get; set; } = "";
    [Id(1)] public int Index { get; set; } = -1;
    [Id(2)] public ExperimentPhase Phase { get; set; } = ExperimentPhase.Queued;
    [Id(3)] public List<AttemptRecord> Attempts { get; set; } = [];
    [Id(4)] public Guid? CurrentAttempt { get; set; }
    [Id(5)] public ExperimentOutcome? Outcome { get; set; }
    [Id(6)] public DateTimeOffset? NotBefore { get; set; }
    /// <summary>Attempts that count against the retry budget start after this many (retry-failed resets it).</summary>
    [Id(7)] public int BudgetStart { get; set; }
    [Id(8)] public string? Why { get; set; }
    /// <summary>The sweep's maxAttempts, copied at the first attempt.</summary>
    [Id(9)] public int MaxAttempts { get; set; } = 3;
    /// <summary>A search trial's measurements at the rungs it reached, one per epoch.</summary>
    [Id(10)] public List<RungMeasurement> Rungs { get; set; } = [];
}
