using StableSnn.Grains.Model;

namespace StableSnn.Grains.Interfaces;

/// <summary>One device slot of a node (key: slot id): what it runs, since when, and its health, for operators.</summary>
[Alias("StableSnn.IGpuSlotGrain")]
public interface IGpuSlotGrain : IGrainWithStringKey
{
    [OneWay, Alias("Update")] Task Update(SlotSnapshot snapshot, string health);
    [Alias("Get")] Task<(SlotSnapshot? Snapshot, string Health)> Get();
}
