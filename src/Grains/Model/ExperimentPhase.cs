namespace StableSnn.Grains.Model;

/// <summary>
/// Lifecycle of an experiment: Pending -> Queued -> Training -> Attacking -> Completed | Failed | Cancelled. A search
/// trial may also be Stopped at a rung (checkpoint kept): it waits there, and a later promotion queues it again.
/// </summary>
[GenerateSerializer, Alias("StableSnn.ExperimentPhase")]
public enum ExperimentPhase { Pending, Queued, Training, Attacking, Completed, Failed, Cancelled, Stopped }

public static class ExperimentPhaseExtensions
{
    /// <summary>Completed, Failed or Cancelled: nothing will run for it any more (unless retry-failed).</summary>
    public static bool IsTerminal(this ExperimentPhase phase) =>
        phase is ExperimentPhase.Completed or ExperimentPhase.Failed or ExperimentPhase.Cancelled;

    /// <summary>Waiting for a slot or holding one: the sweep cannot be finished while any is.</summary>
    public static bool IsActive(this ExperimentPhase phase) =>
        phase is ExperimentPhase.Pending or ExperimentPhase.Queued or ExperimentPhase.Training or ExperimentPhase.Attacking;
}
