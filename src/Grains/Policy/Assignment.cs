namespace StableSnn.Grains.Policy;

/// <summary>The matcher's decision: run this experiment on this slot.</summary>
[GenerateSerializer, Alias("StableSnn.Assignment")]
public sealed record Assignment(
    [property: Id(0)] string ExperimentKey,
    [property: Id(1)] string SlotId);
