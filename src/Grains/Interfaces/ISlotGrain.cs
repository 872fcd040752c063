using StableSnn.Grains.Model;

namespace StableSnn.Grains.Interfaces;

/// <summary>One slot of a node, GPU or CPU (key: slot id): what it runs, since when, and its health, for operators.</summary>
[Alias("StableSnn.ISlotGrain")]
public interface ISlotGrain : IGrainWithStringKey
{
    [OneWay, Alias("Update")] Task Update(SlotSnapshot snapshot, string health);
    [Alias("Get")] Task<(SlotSnapshot? Snapshot, string Health)> Get();
}
