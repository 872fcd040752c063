using StableSnn.Contracts;

namespace StableSnn.Grains.Model;

/// <summary>A slot a node offers: its id ("node/gpu0-1", "node/cpu0"), kind (gpu or cpu) and device.</summary>
[GenerateSerializer, Alias("StableSnn.SlotInfo")]
public sealed record SlotInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Kind,
    [property: Id(2)] string Device,
    [property: Id(3)] int Threads);

/// <summary>A lease a node holds: the experiment attempt (grid index <paramref name="Index"/> of sweep <paramref name="Sweep"/>) on a slot.</summary>
[GenerateSerializer, Alias("StableSnn.LeaseRef")]
public sealed record LeaseRef(
    [property: Id(4)] string Sweep,
    [property: Id(0)] string ExperimentKey,
    [property: Id(1)] Guid AttemptId,
    [property: Id(2)] string SlotId,
    [property: Id(3)] int Index);

/// <summary>
/// A node's periodic call to the scheduler, doubling as its heartbeat: its slots, which are free, the leases it
/// still runs (renewed by this call) and the leases whose processes have exited since the last report.
/// </summary>
[GenerateSerializer, Alias("StableSnn.NodeReport")]
public sealed record NodeReport
{
    [Id(0)] public string Node { get; init; } = "";
    [Id(1)] public SlotInfo[] Slots { get; init; } = [];
    [Id(2)] public string[] FreeSlots { get; init; } = [];
    [Id(3)] public LeaseRef[] Running { get; init; } = [];
    [Id(4)] public LeaseRef[] Finished { get; init; } = [];
}

/// <summary>The scheduler's answer: new work for free slots, and leases the node must stop (cancelled or expired).</summary>
[GenerateSerializer, Alias("StableSnn.WorkGrant")]
public sealed record WorkGrant
{
    [Id(0)] public LeaseRef[] Start { get; init; } = [];
    [Id(1)] public LeaseRef[] Stop { get; init; } = [];
}

/// <summary>
/// What the node needs to launch an attempt: the trainer's spec (written to the attempt's spec.json) and where the
/// experiment's artifacts live. Id 0 (the spec as a JSON string) is retired.
/// </summary>
[GenerateSerializer, Alias("StableSnn.AttemptTicket")]
public sealed record AttemptTicket(
    [property: Id(3)] ExperimentSpec Spec,
    [property: Id(1)] string ArtifactPath,
    [property: Id(2)] int AttemptNumber);

/// <summary>How an attempt ended, from the node.</summary>
[GenerateSerializer, Alias("StableSnn.AttemptEnd")]
public sealed record AttemptEnd(
    [property: Id(0)] ExitReason Reason,
    [property: Id(1)] ExperimentOutcome? Outcome,
    [property: Id(2)] string? Message)
{
    /// <summary>With <see cref="ExitReason.RungReached"/>: what the trial measured at its rung.</summary>
    [Id(3)] public RungMeasurement? Rung { get; init; }
}

/// <summary>An experiment's phase change, reported to its sweep (idempotent: the sweep stores the latest).</summary>
[GenerateSerializer, Alias("StableSnn.ExperimentChange")]
public sealed record ExperimentChange(
    [property: Id(0)] int Index,
    [property: Id(1)] ExperimentPhase Phase,
    [property: Id(2)] ExperimentOutcome? Outcome,
    [property: Id(3)] DateTimeOffset? NotBefore,
    [property: Id(4)] int Attempts)
{
    /// <summary>With <see cref="ExperimentPhase.Stopped"/>: the rung the trial paused at.</summary>
    [Id(5)] public RungMeasurement? Rung { get; init; }
    /// <summary>Wall time of every attempt so far (the search's slot-hours budget).</summary>
    [Id(6)] public double SlotSeconds { get; init; }
}

/// <summary>
/// The sweep's word on one grid point before an attempt starts: the trainer's spec for it, the attempts it may take,
/// and whether the sweep still wants it run. Ids 0, 1 and 4 (sweep settings, grid point, stop epoch) are retired.
/// </summary>
[GenerateSerializer, Immutable, Alias("StableSnn.ExperimentAdmission")]
public sealed record ExperimentAdmission(
    [property: Id(5)] ExperimentSpec Spec,
    [property: Id(6)] int MaxAttempts,
    [property: Id(2)] SweepStatus Status,
    [property: Id(3)] ExperimentPhase Phase);
