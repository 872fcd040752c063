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

/// <summary>What the node needs to launch an attempt: the trainer spec and where the experiment's artifacts live.</summary>
[GenerateSerializer, Alias("StableSnn.AttemptTicket")]
public sealed record AttemptTicket(
    [property: Id(0)] string TrainerSpecJson,
    [property: Id(1)] string ArtifactPath,
    [property: Id(2)] int AttemptNumber);

/// <summary>Progress relayed from the trainer process (a <see cref="ProgressEvent"/> as the engine keeps it); also renews the attempt's heartbeat.</summary>
[GenerateSerializer, Alias("StableSnn.ProgressUpdate")]
public sealed record ProgressUpdate
{
    /// <summary>Null for a heartbeat the node sends on its own while the trainer is quiet.</summary>
    [Id(0)] public TrainerPhase? Phase { get; init; }
    [Id(1)] public int? Epoch { get; init; }
    [Id(2)] public int? Epochs { get; init; }
    [Id(3)] public double? ImagesPerSecond { get; init; }
    [Id(4)] public double? Loss { get; init; }
    [Id(5)] public double? Accuracy { get; init; }
    [Id(6)] public string? Checkpoint { get; init; }
    [Id(7)] public string? Attack { get; init; }

    public static ProgressUpdate From(ProgressEvent e) => new()
    {
        Phase = e.Phase, Epoch = e.Epoch, Epochs = e.Epochs, ImagesPerSecond = e.ImagesPerSecond, Loss = e.Loss,
        Accuracy = e.Accuracy, Checkpoint = e.Checkpoint, Attack = e.Attack,
    };
}

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
/// The sweep's word on one grid point before an attempt starts. Immutable: within a silo the sweep hands out its
/// own settings object (spec without axes) instead of a copy per attempt; nobody mutates it.
/// </summary>
[GenerateSerializer, Immutable, Alias("StableSnn.ExperimentAdmission")]
public sealed record ExperimentAdmission(
    [property: Id(0)] SweepSpec Spec,
    [property: Id(1)] GridPoint Point,
    [property: Id(2)] SweepStatus Status,
    [property: Id(3)] ExperimentPhase Phase)
{
    /// <summary>A search trial stops at this epoch (its next rung); null trains every epoch and attacks.</summary>
    [Id(4)] public int? StopAtEpoch { get; init; }
}
