namespace StableSnn.Grains.Model;

/// <summary>Lifecycle of an experiment: Pending -> Queued -> Training -> Attacking -> Completed | Failed | Cancelled.</summary>
[GenerateSerializer, Alias("StableSnn.ExperimentPhase")]
public enum ExperimentPhase { Pending, Queued, Training, Attacking, Completed, Failed, Cancelled }

public static class ExperimentPhaseExtensions
{
    /// <summary>Completed, Failed or Cancelled: nothing will run for it any more (unless retry-failed).</summary>
    public static bool IsTerminal(this ExperimentPhase phase) =>
        phase is ExperimentPhase.Completed or ExperimentPhase.Failed or ExperimentPhase.Cancelled;
}
