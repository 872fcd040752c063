using StableSnn.Grains.Model;

namespace StableSnn.Grains.Interfaces;

/// <summary>
/// Matches runnable experiments to free slots fairly across sweeps and holds the leases (key: <see cref="EngineGrains.SingletonKey"/>).
/// Its state is soft: nodes re-report their slots and running leases, sweeps re-offer queued work.
/// </summary>
[Alias("StableSnn.ISchedulerGrain")]
public interface ISchedulerGrain : IGrainWithStringKey
{
    /// <summary>Node heartbeat and work request in one call.</summary>
    [Alias("RequestWork")] Task<WorkGrant> RequestWork(NodeReport report);
    /// <summary>
    /// A sweep has runnable work (submitted, resumed, retried). Interleaves, so a sweep's news reaches waiting nodes even
    /// while a <see cref="RequestWork"/> waits on a sweep that is slow to answer (one on a silo that just died).
    /// </summary>
    [OneWay, AlwaysInterleave, Alias("Notify")] Task Notify(string sweep, int priority, int maxConcurrency);
    /// <summary>
    /// Node with free slots and nothing granted: returns when a sweep next notifies runnable work, or after
    /// <paramref name="timeout"/>, so a submitted sweep starts at once instead of at the node's next report.
    /// Interleaves: it only waits.
    /// </summary>
    [AlwaysInterleave, Alias("WaitForWork")] Task WaitForWork(TimeSpan timeout);
    [ReadOnly, Alias("GetSnapshot")] Task<SchedulerSnapshot> GetSnapshot();
}
