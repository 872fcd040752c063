using StableSnn.Grains.Interfaces;
using StableSnn.Grains.Model;
using StableSnn.Grains.State;

namespace StableSnn.Grains.Grains;

/// <summary>Operator view of one slot, updated by its node; soft state (the node re-reports it).</summary>
public sealed class GpuSlotGrain : Grain, IGpuSlotGrain
{
    readonly GpuSlotState _state = new();

    public Task Update(SlotSnapshot snapshot, string health)
    {
        _state.Snapshot = snapshot;
        _state.Health = health;
        return Task.CompletedTask;
    }

    public Task<(SlotSnapshot? Snapshot, string Health)> Get() => Task.FromResult((_state.Snapshot, _state.Health));
}
