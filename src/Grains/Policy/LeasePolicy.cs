namespace StableSnn.Grains.Policy;

/// <summary>
/// How long a slot holds an experiment without a heartbeat. Renewing every quarter of the lease lets three
/// heartbeats go missing (a GC pause, a slow silo) before the experiment is declared lost and retried elsewhere.
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

    public TimeSpan RenewEvery => Duration / 4;

    public DateTimeOffset ExpiresAt(DateTimeOffset lastHeartbeat) => lastHeartbeat + Duration;

    /// <summary>A lease lasts exactly <see cref="Duration"/>: at <see cref="ExpiresAt"/> it is already expired.</summary>
    public bool IsExpired(DateTimeOffset lastHeartbeat, DateTimeOffset now) => now >= ExpiresAt(lastHeartbeat);
}
