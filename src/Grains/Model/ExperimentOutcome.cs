using StableSnn.Contracts;

namespace StableSnn.Grains.Model;

/// <summary>Accuracy under one attack, as the trainer's result.json reports it.</summary>
[GenerateSerializer, Alias("StableSnn.AttackAccuracy")]
public sealed record AttackAccuracy(
    [property: Id(0)] string Attack,
    [property: Id(1)] double Epsilon,
    [property: Id(2)] double Accuracy,
    [property: Id(3)] int Examples,
    [property: Id(4)] bool Sanity);

/// <summary>What a completed experiment measured: the numbers the sweep aggregates.</summary>
[GenerateSerializer, Alias("StableSnn.ExperimentOutcome")]
public sealed record ExperimentOutcome
{
    [Id(0)] public double CleanAccuracy { get; init; }
    [Id(1)] public AttackAccuracy[] Attacks { get; init; } = [];
    /// <summary>Codes of the gradient-masking checks that fired; empty when the numbers can be trusted.</summary>
    [Id(2)] public string[] MaskingFlags { get; init; } = [];
    [Id(3)] public string Checkpoint { get; init; } = "";
    [Id(4)] public double TrainSeconds { get; init; }
    [Id(5)] public double TotalSeconds { get; init; }

    /// <summary>The numbers the engine keeps from the trainer's result.json.</summary>
    public static ExperimentOutcome From(ExperimentResult result)
    {
        var suite = result.Attacks;
        return new ExperimentOutcome
        {
            CleanAccuracy = result.CleanTestAccuracy,
            Attacks = suite?.Attacks.Select(a => new AttackAccuracy(a.Attack.Name, a.Attack.Epsilon, a.Accuracy, a.Examples, a.Sanity)).ToArray() ?? [],
            MaskingFlags = suite?.Flags.Select(f => f.Code).Distinct().ToArray() ?? [],
            Checkpoint = result.Checkpoint,
            TrainSeconds = result.Timings.TrainSeconds,
            TotalSeconds = result.Timings.TotalSeconds,
        };
    }
}
