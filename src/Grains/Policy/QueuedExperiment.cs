namespace StableSnn.Grains.Policy;

/// <summary>An experiment waiting for a slot, as the matcher sees it.</summary>
/// <param name="Key">Experiment key (see GridPoint.ExperimentKey).</param>
/// <param name="Sweep">Sweep name; fairness and concurrency limits are per sweep.</param>
/// <param name="Priority">Higher is placed first.</param>
/// <param name="SlotKind">any, gpu or cpu.</param>
/// <param name="Sequence">Enqueue order; lower is older.</param>
[GenerateSerializer, Alias("StableSnn.QueuedExperiment")]
public sealed record QueuedExperiment(
    [property: Id(0)] string Key,
    [property: Id(1)] string Sweep,
    [property: Id(2)] int Priority,
    [property: Id(3)] string SlotKind,
    [property: Id(4)] long Sequence);
