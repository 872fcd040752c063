namespace StableSnn.Grains.Model;

[GenerateSerializer, Alias("StableSnn.SweepStatus")]
public enum SweepStatus { Active, Paused, Cancelled, Completed }

/// <summary>A sweep at a glance: what the CLI's list and watch show.</summary>
[GenerateSerializer, Alias("StableSnn.SweepSnapshot")]
public sealed record SweepSnapshot
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public SweepStatus Status { get; init; }
    [Id(2)] public int Total { get; init; }
    /// <summary>Experiments per phase, indexed by <see cref="ExperimentPhase"/>.</summary>
    [Id(3)] public int[] Counts { get; init; } = new int[Enum.GetValues<ExperimentPhase>().Length];
    [Id(4)] public DateTimeOffset SubmittedAt { get; init; }
    [Id(5)] public DateTimeOffset? FinishedAt { get; init; }
    [Id(6)] public int Priority { get; init; }
    [Id(7)] public int MaxConcurrency { get; init; }

    public int Count(ExperimentPhase phase) => Counts[(int)phase];
    public int Terminal => Counts.CountOf(ExperimentPhaseExtensions.IsTerminal);
    /// <summary>Training or attacking: holding a slot.</summary>
    public int Running => Counts.CountOf(ExperimentPhaseExtensions.IsRunning);
    /// <summary>Pending or queued: waiting for a slot.</summary>
    public int Waiting => Counts.CountOf(ExperimentPhaseExtensions.IsWaiting);
    /// <summary>Nothing will run any more: completed, or cancelled with no attempt still winding down.</summary>
    public bool IsFinished => Status is SweepStatus.Completed or SweepStatus.Cancelled && Running == 0;
}

/// <summary>One experiment's lifecycle and history.</summary>
[GenerateSerializer, Alias("StableSnn.ExperimentSnapshot")]
public sealed record ExperimentSnapshot
{
    [Id(0)] public string Key { get; init; } = "";
    [Id(1)] public ExperimentPhase Phase { get; init; }
    [Id(2)] public AttemptRecord[] Attempts { get; init; } = [];
    [Id(3)] public ExperimentOutcome? Outcome { get; init; }
    [Id(4)] public DateTimeOffset? NotBefore { get; init; }
    [Id(5)] public string? Why { get; init; }
    [Id(6)] public RungMeasurement[] Rungs { get; init; } = [];
}

/// <summary>A completed experiment of a sweep with its grid point, for tables and exports.</summary>
[GenerateSerializer, Alias("StableSnn.ExperimentResultRow")]
public sealed record CompletedExperiment(
    [property: Id(0)] string Key,
    [property: Id(1)] GridPoint Point,
    [property: Id(2)] ExperimentOutcome Outcome);

/// <summary>A slot as the scheduler sees it.</summary>
[GenerateSerializer, Alias("StableSnn.SlotSnapshot")]
public sealed record SlotSnapshot(
    [property: Id(0)] SlotInfo Slot,
    [property: Id(1)] string Node,
    [property: Id(2)] string? ExperimentKey,
    [property: Id(3)] DateTimeOffset? Since,
    [property: Id(4)] DateTimeOffset LastSeen);

[GenerateSerializer, Alias("StableSnn.SchedulerSnapshot")]
public sealed record SchedulerSnapshot
{
    [Id(0)] public SlotSnapshot[] Slots { get; init; } = [];
    [Id(1)] public int Leases { get; init; }
    [Id(2)] public long LeasesGranted { get; init; }
    [Id(3)] public long LeasesExpired { get; init; }
    /// <summary>Buffered candidates per sweep (pulled from the sweeps, waiting for a slot).</summary>
    [Id(4)] public Dictionary<string, int> Waiting { get; init; } = [];
}
