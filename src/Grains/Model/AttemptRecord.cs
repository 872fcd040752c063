namespace StableSnn.Grains.Model;

/// <summary>One try at running an experiment on a slot: the history operators read to see why something is stuck.</summary>
[GenerateSerializer, Alias("StableSnn.AttemptRecord")]
public sealed record AttemptRecord
{
    [Id(0)] public Guid Id { get; init; }
    [Id(1)] public int Number { get; init; }
    [Id(2)] public string Slot { get; init; } = "";
    [Id(3)] public string Node { get; init; } = "";
    [Id(4)] public DateTimeOffset StartedAt { get; init; }
    [Id(5)] public DateTimeOffset? EndedAt { get; init; }
    [Id(6)] public ExitReason? ExitReason { get; init; }
    [Id(7)] public DateTimeOffset LastHeartbeat { get; init; }
    [Id(8)] public string? LastCheckpoint { get; init; }
    [Id(9)] public int? Epoch { get; init; }
    [Id(10)] public double? ImagesPerSecond { get; init; }
    [Id(11)] public string? Message { get; init; }
    /// <summary>Checkpoints this attempt's trainer could not load and moved aside: where to, why, and what it did instead.</summary>
    [Id(12)] public string[] CheckpointsSetAside { get; init; } = [];
    /// <summary>What the trainer is doing in its attack phase ("APGD-T-adaptive: attack 5/7, step 40/100 of batch 2"); null while it trains.</summary>
    [Id(13)] public string? Activity { get; init; }
}
