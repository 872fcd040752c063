namespace StableSnn.Grains.Interfaces;

/// <summary>The names of all sweeps ever submitted (key: <see cref="EngineGrains.SingletonKey"/>), so they can be listed and reconciled.</summary>
[Alias("StableSnn.ISweepRegistryGrain")]
public interface ISweepRegistryGrain : IGrainWithStringKey
{
    [Alias("Add")] Task Add(string sweep);
    [Alias("List")] Task<string[]> List();
}
