using StableSnn.Grains.Interfaces;
using StableSnn.Grains.State;

namespace StableSnn.Grains.Grains;

public sealed class SweepRegistryGrain(
    [PersistentState("registry", GrainStorage.Name)] IPersistentState<SweepRegistryState> state) : Grain, ISweepRegistryGrain
{
    public async Task Add(string sweep)
    {
        if (state.State.Sweeps.Contains(sweep)) return;
        state.State.Sweeps.Add(sweep);
        await state.WriteStateAsync();
    }

    public Task<string[]> List() => Task.FromResult(state.State.Sweeps.ToArray());
}
