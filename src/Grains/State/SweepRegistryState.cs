namespace StableSnn.Grains.State;

[GenerateSerializer, Alias("StableSnn.SweepRegistryState")]
public sealed class SweepRegistryState
{
    [Id(0)] public List<string> Sweeps { get; set; } = [];
}
