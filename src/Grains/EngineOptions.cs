using StableSnn.Grains.Policy;

namespace StableSnn.Grains;

/// <summary>Timing and limits of the sweep engine (section "Engine" of the silo configuration).</summary>
public sealed class EngineOptions
{
    /// <summary>An attempt without a heartbeat for this long is presumed lost; its experiment is queued again.</summary>
    public TimeSpan LeaseDuration { get; set; } = LeasePolicy.DefaultDuration;
    /// <summary>The one rule for lease expiry, used by the scheduler and the experiments alike.</summary>
    public LeasePolicy Lease() => new(LeaseDuration);
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>How often the scheduler looks for expired leases.</summary>
    public TimeSpan LeaseCheckInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>How often a sweep writes its progress (phases change far more often than that).</summary>
    public TimeSpan SweepFlushInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>Durable safety net: every sweep re-checks its running experiments' leases this often.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromMinutes(1);
    public int MaxExperimentsPerSweep { get; set; } = 100_000;
}
