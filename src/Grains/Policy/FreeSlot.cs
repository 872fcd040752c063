namespace StableSnn.Grains.Policy;

/// <summary>A slot with no experiment. <paramref name="Kind"/> is gpu or cpu.</summary>
[GenerateSerializer, Alias("StableSnn.FreeSlot")]
public sealed record FreeSlot(
    [property: Id(0)] string SlotId,
    [property: Id(1)] string Kind);
