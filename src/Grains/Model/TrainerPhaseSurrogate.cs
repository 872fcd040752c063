using StableSnn.Contracts;

namespace StableSnn.Grains.Model;

/// <summary>
/// Orleans' wire form of <see cref="TrainerPhase"/>: the enum lives in StableSnn.Contracts, which knows nothing of
/// Orleans, so it crosses grain calls through this surrogate.
/// </summary>
[GenerateSerializer, Alias("StableSnn.TrainerPhase")]
public struct TrainerPhaseSurrogate
{
    [Id(0)] public int Value;
}

[RegisterConverter]
public sealed class TrainerPhaseConverter : IConverter<TrainerPhase, TrainerPhaseSurrogate>
{
    public TrainerPhase ConvertFromSurrogate(in TrainerPhaseSurrogate surrogate) => (TrainerPhase)surrogate.Value;
    public TrainerPhaseSurrogate ConvertToSurrogate(in TrainerPhase value) => new() { Value = (int)value };
}
