using System.Globalization;

namespace StableSnn.Grains.Model;

/// <summary>One cell of a sweep's grid. Its key is deterministic, so the same cell can never become two experiments.</summary>
[GenerateSerializer, Alias("StableSnn.GridPoint")]
public sealed record GridPoint(
    [property: Id(0)] string Dataset,
    [property: Id(1)] string Architecture,
    [property: Id(2)] string Neuron,
    [property: Id(3)] string Mode,
    [property: Id(4)] double Alpha,
    [property: Id(5)] int Seed)
{
    /// <summary>"{sweep}/{dataset}/{architecture}/{neuron}/{mode}/a{alpha}/s{seed}", alpha in round-trip form.</summary>
    public string ExperimentKey(string sweep) =>
        $"{sweep}/{Dataset}/{Architecture}/{Neuron}/{Mode}/a{Alpha.ToString("R", CultureInfo.InvariantCulture)}/s{Seed}";

    /// <summary>The grid point without its seed: the row of the results table that seeds are averaged over.</summary>
    public string GroupKey => $"{Dataset}/{Architecture}/{Neuron}/{Mode}/a{Alpha.ToString("R", CultureInfo.InvariantCulture)}";
}
