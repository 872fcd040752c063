using StableSnn.Grains.Interfaces;
using StableSnn.Grains.Model;

namespace StableSnn.Grains.Grains;

/// <summary>Operator view of one slot (GPU or CPU), updated by its node; soft state, nothing stored (the node re-reports it).</summary>
public sealed class SlotGrain : Grain, ISlotGrain
{
    SlotSnapshot? _snapshot;
    string _health = "unknown";

    public Task Update(SlotSnapshot snapshot, string health)
    {
        (_snapshot, _health) = (snapshot, health);
        return Task.CompletedTask;
    }

    public Task<(SlotSnapshot? Snapshot, string Health)> Get() => Task.FromResult((_snapshot, _health));
}
