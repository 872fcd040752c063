using StableSnn.Contracts;

namespace StableSnn.Grains.Model;

/// <summary>What a search trial measured at a rung (the trainer's rungs/epoch-N.json, as the engine keeps it).</summary>
[GenerateSerializer, Alias("StableSnn.RungMeasurement")]
public sealed record RungMeasurement
{
    [Id(0)] public int Epoch { get; init; }
    [Id(1)] public double ValidationAccuracy { get; init; }
    [Id(2)] public double ProbeCleanAccuracy { get; init; }
    [Id(3)] public double ProbeRobustAccuracy { get; init; }
    [Id(4)] public int ProbeExamples { get; init; }
    [Id(5)] public string ProbeAttack { get; init; } = "";
    /// <summary>Pixel units.</summary>
    [Id(6)] public double Epsilon { get; init; }
    /// <summary>Per-image robust correctness on the probe's images (<see cref="Contracts.ExampleMask"/>): the paired test a stop rests on.</summary>
    [Id(7)] public string? Mask { get; init; }

    public static RungMeasurement From(RungResult r) => new()
    {
        Epoch = r.Epoch, ValidationAccuracy = r.ValidationAccuracy, ProbeCleanAccuracy = r.ProbeCleanAccuracy,
        ProbeRobustAccuracy = r.ProbeRobustAccuracy, ProbeExamples = r.ProbeExamples, ProbeAttack = r.ProbeAttack, Epsilon = r.Epsilon,
        Mask = r.Mask,
    };
}
