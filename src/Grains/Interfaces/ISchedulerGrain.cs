using StableSnn.Grains.Model;

namespace StableSnn.Grains.Interfaces;

/// <summary>
/// Matches runnable experiments to free slots fairly across sweeps and holds the leases (key: "default").
/// Its state is soft: nodes re-report their slots and running leases, sweeps re-offer queued work.
/// </summary>
[Alias("StableSnn.ISchedulerGrain")]
public interface ISchedulerGrain : IGrainWithStringKey
{
    /// <summary>Node heartbeat and work request in one call.</summary>
    [Alias("RequestWork")] Task<WorkGrant> RequestWork(NodeReport report);
    /// <summary>A sweep has runnable work (submitted, resumed, retried).</summary>
    [OneWay, AlwaysInterleave, Alias("Notify")] Task Notify(string sweep, int priority, int maxConcurrency);
    [Alias("GetSnapshot")] Task<SchedulerSnapshot> GetSnapshot();
}
