using System.Text.Json;
using System.Text.Json.Serialization;

namespace StableSnn.Grains.Model;

/// <summary>
/// The experiment spec file the trainer executable reads (src/Trainer/Experiment/ExperimentSpec.cs), written by the
/// node for each attempt. Kept as its own record so the grains need no TorchSharp; a test checks the two agree.
/// </summary>
public sealed record TrainerSpec
{
    public required string Id { get; init; }
    public required string Dataset { get; init; }
    public string? DataRoot { get; init; }
    public required string Architecture { get; init; }
    public required string Neuron { get; init; }
    public required string Mode { get; init; }
    public required double Alpha { get; init; }
    public required int Seed { get; init; }
    public required int Epochs { get; init; }
    public int? BatchSize { get; init; }
    public double? LearningRate { get; init; }
    public int? TrainSubset { get; init; }
    public int? TestSubset { get; init; }
    public double? ValidationFraction { get; init; }
    public int? TimeSteps { get; init; }
    public required string AttackSuite { get; init; }
    public int? AttackSubset { get; init; }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true,
    };

    public static TrainerSpec For(SweepSpec sweep, GridPoint point) => new()
    {
        Id = point.ExperimentKey(sweep.Name), Dataset = point.Dataset, Architecture = point.Architecture,
        Neuron = point.Neuron, Mode = point.Mode, Alpha = point.Alpha, Seed = point.Seed, Epochs = sweep.Epochs,
        AttackSuite = sweep.AttackSuite, DataRoot = sweep.Training.DataRoot, BatchSize = sweep.Training.BatchSize,
        LearningRate = sweep.Training.LearningRate, TrainSubset = sweep.Training.TrainSubset,
        TestSubset = sweep.Training.TestSubset, ValidationFraction = sweep.Training.ValidationFraction,
        TimeSteps = sweep.Training.TimeSteps, AttackSubset = sweep.Training.AttackSubset,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}
