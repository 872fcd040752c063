namespace StableSnn.Grains.Model;

/// <summary>Lifecycle of an experiment: Pending -> Queued -> Training -> Attacking -> Completed | Failed | Cancelled.</summary>
[GenerateSerializer, Alias("StableSnn.ExperimentPhase")]
public enum ExperimentPhase { Pending, Queued, Training, Attacking, Completed, Failed, Cancelled }
