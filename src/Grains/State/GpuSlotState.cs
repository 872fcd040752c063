using StableSnn.Grains.Model;

namespace StableSnn.Grains.State;

[GenerateSerializer, Alias("StableSnn.GpuSlotState")]
public sealed class GpuSlotState
{
    [Id(0)] public SlotSnapshot? Snapshot { get; set; }
    [Id(1)] public string Health { get; set; } = "unknown";
}
