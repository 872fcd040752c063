namespace StableSnn.Grains.Policy;

/// <summary>How many slots a sweep holds now, and how many it may hold.</summary>
/// <param name="Sweep">Sweep name.</param>
/// <param name="Running">Leases currently held by the sweep's experiments.</param>
/// <param name="MaxConcurrency">Most leases the sweep may hold at once; 0 means no limit.</param>
[GenerateSerializer, Alias("StableSnn.SweepLoad")]
public sealed record SweepLoad(
    [property: Id(0)] string Sweep,
    [property: Id(1)] int Running,
    [property: Id(2)] int MaxConcurrency);
