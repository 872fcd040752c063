using StableSnn.Contracts;
using StableSnn.Grains.Model;

namespace StableSnn.Grains.Interfaces;

/// <summary>
/// One grid point's lifecycle (key: its experiment key) and the single authority on it: an attempt only starts,
/// reports and finishes through here, and a report from any attempt but the current one is ignored. Its sweep's
/// commands (cancel, check lease, requeue) are one-way; it answers with a phase change, the only way events flow.
/// </summary>
[Alias("StableSnn.IExperimentGrain")]
public interface IExperimentGrain : IGrainWithStringKey
{
    /// <summary>Node: start the attempt of <paramref name="lease"/>; null when the experiment must not run (done, cancelled, or running elsewhere).</summary>
    [Alias("BeginAttempt")] Task<AttemptTicket?> BeginAttempt(LeaseRef lease, string node);
    /// <summary>Node: trainer progress, or null for a plain heartbeat while the trainer is quiet. False tells the node to stop the process.</summary>
    [Alias("ReportProgress")] Task<bool> ReportProgress(Guid attemptId, ProgressEvent? progress);
    /// <summary>Node: the attempt's process exited.</summary>
    [Alias("FinishAttempt")] Task FinishAttempt(Guid attemptId, AttemptEnd end);
    /// <summary>Scheduler: the attempt's lease ran out without a heartbeat.</summary>
    [Alias("ExpireLease")] Task ExpireLease(Guid attemptId);
    /// <summary>
    /// Sweep reconcile: expire the current attempt if its last heartbeat is older than the lease, and tell the sweep the
    /// experiment's phase when it is not running. <paramref name="sweep"/> and <paramref name="index"/> say whose grid
    /// point this key is (the sweep is their authority).
    /// </summary>
    [OneWay, Alias("CheckLease")] Task CheckLease(string sweep, int index);
    [OneWay, Alias("Cancel")] Task Cancel();
    /// <summary>Failed -> Queued with a fresh retry budget; anything else tells the sweep its phase.</summary>
    [OneWay, Alias("Requeue")] Task Requeue();
    [Alias("GetSnapshot")] Task<ExperimentSnapshot> GetSnapshot();
}
