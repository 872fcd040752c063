using System.Text.Json;
using StableSnn.Grains.Model;
using StableSnn.Trainer.Experiment;

namespace StableSnn.Silo.Nodes;

/// <summary>Reads the numbers the sweep aggregates out of the trainer's result.json (the trainer's own record type).</summary>
public static class ResultFile
{
    public static ExperimentOutcome Read(string path)
    {
        var result = JsonSerializer.Deserialize<ExperimentResult>(File.ReadAllText(path), ExperimentSpec.Json)
            ?? throw new InvalidDataException($"{path} holds no experiment result");
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
