namespace StableSnn.Grains.Policy;

/// <summary>
/// How long a slot holds an experiment without a heartbeat. Nodes renew far more often than that (every
/// Node:ReportInterval, and Node:ProgressInterval for experiments), so a GC pause or a slow silo is not a lost node.
/// </summary>
public sealed class LeasePolicy
{
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromSeconds(60);

    public TimeSpan Duration { get; }

    public LeasePolicy() : this(DefaultDuration) { }

    public LeasePolicy(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        Duration = duration;
    }

    public DateTimeOffset ExpiresAt(DateTimeOffset lastHeartbeat) => lastHeartbeat + Duration;

    /// <summary>A lease lasts exactly <see cref="Duration"/>: at <see cref="ExpiresAt"/> it is already expired.</summary>
    public bool IsExpired(DateTimeOffset lastHeartbeat, DateTimeOffset now) => now >= ExpiresAt(lastHeartbeat);
}
