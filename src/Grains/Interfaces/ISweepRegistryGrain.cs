namespace StableSnn.Grains.Interfaces;

/// <summary>The names of all sweeps ever submitted (key: "default"), so they can be listed and reconciled.</summary>
[Alias("StableSnn.ISweepRegistryGrain")]
public interface ISweepRegistryGrain : IGrainWithStringKey
{
    [Alias("Add")] Task Add(string sweep);
    [Alias("List")] Task<string[]> List();
}
