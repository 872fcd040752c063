using StableSnn.Grains.Model;

namespace StableSnn.Grains.State;

/// <summary>Durable state of a sweep: its spec, status, one phase byte per grid point, and the completed outcomes.</summary>
[GenerateSerializer, Alias("StableSnn.SweepState")]
public sealed class SweepState
{
    [Id(0)] public SweepSpec? Spec { get; set; }
    [Id(1)] public SweepStatus Status { get; set; }
    /// <summary>ExperimentPhase per grid index, in expansion order.</summary>
    [Id(2)] public byte[] Phases { get; set; } = [];
    [Id(3)] public Dictionary<int, ExperimentOutcome> Outcomes { get; set; } = [];
    /// <summary>Grid indices waiting for a retry back-off to pass.</summary>
    [Id(4)] public Dictionary<int, DateTimeOffset> NotBefore { get; set; } = [];
    [Id(5)] public DateTimeOffset SubmittedAt { get; set; }
    [Id(6)] public DateTimeOffset? FinishedAt { get; set; }
    /// <summary>Trials and rung reports of a search that proposes its own points; null for a grid.</summary>
    [Id(7)] public SearchState? Search { get; set; }
}
