namespace StableSnn.Grains.Model;

/// <summary>
/// Lifecycle of an experiment: Pending -> Queued -> Training -> Attacking -> Completed | Failed | Cancelled. A search
/// trial may also be Stopped at a rung (checkpoint kept): it waits there, and a later promotion queues it again.
/// </summary>
[GenerateSerializer, Alias("StableSnn.ExperimentPhase")]
public enum ExperimentPhase { Pending, Queued, Training, Attacking, Completed, Failed, Cancelled, Stopped }

/// <summary>The groups of phases every view and rule uses, defined once.</summary>
public static class ExperimentPhaseExtensions
{
    /// <summary>Completed, Failed or Cancelled: nothing will run for it any more (unless retry-failed).</summary>
    public static bool IsTerminal(this ExperimentPhase phase) =>
        phase is ExperimentPhase.Completed or ExperimentPhase.Failed or ExperimentPhase.Cancelled;

    /// <summary>Pending or Queued: waiting for a slot.</summary>
    public static bool IsWaiting(this ExperimentPhase phase) => phase is ExperimentPhase.Pending or ExperimentPhase.Queued;

    /// <summary>Training or Attacking: an attempt holds a slot.</summary>
    public static bool IsRunning(this ExperimentPhase phase) => phase is ExperimentPhase.Training or ExperimentPhase.Attacking;

    /// <summary>Waiting for a slot or holding one: the sweep cannot be finished while any is.</summary>
    public static bool IsActive(this ExperimentPhase phase) => phase.IsWaiting() || phase.IsRunning();

    /// <summary>How many of <paramref name="counts"/> (experiments per phase, indexed by phase) are in the group.</summary>
    public static int CountOf(this IReadOnlyList<int> counts, Func<ExperimentPhase, bool> group)
    {
        int n = 0;
        for (int p = 0; p < counts.Count; p++) if (group((ExperimentPhase)p)) n += counts[p];
        return n;
    }
}
