using StableSnn.Contracts;
using StableSnn.Grains.Model;
using StableSnn.Grains.Policy;

namespace StableSnn.Grains.Tests.Policy;

/// <summary>A sweep's shared training settings are judged by the trainer's own rules: what one rejects, so does the other.</summary>
public class ExperimentLimitsTests
{
    public static TheoryData<string, TrainingSettings, ExperimentSpec> Bad => new()
    {
        { "batchSize", new() { BatchSize = 0 }, new() { BatchSize = 0 } },
        { "learningRate", new() { LearningRate = double.NaN }, new() { LearningRate = double.NaN } },
        { "trainSubset", new() { TrainSubset = 0 }, new() { TrainSubset = 0 } },
        { "testSubset", new() { TestSubset = -3 }, new() { TestSubset = -3 } },
        { "validationFraction", new() { ValidationFraction = 1 }, new() { ValidationFraction = 1 } },
        { "timeSteps", new() { TimeSteps = 0 }, new() { TimeSteps = 0 } },
        { "attackSubset", new() { AttackSubset = 0 }, new() { AttackSubset = 0 } },
        { "evaluationSeed", new() { EvaluationSeed = -1 }, new() { EvaluationSeed = -1 } },
    };

    [Theory]
    [MemberData(nameof(Bad))]
    public void Sweep_validation_and_the_trainer_reject_the_same_value_with_the_same_reason(string field, TrainingSettings sweep, ExperimentSpec trainer)
    {
        var sweepError = Assert.Single(SweepValidation.Validate(PolicySpecs.Valid() with { Training = sweep }, 1000));
        var trainerError = Assert.Single(trainer.Validate(), e => e.StartsWith(field + ":", StringComparison.Ordinal));
        Assert.StartsWith($"training.{field}: ", sweepError);
        Assert.Equal(trainerError[field.Length..].Split(',')[0], sweepError[("training." + field).Length..].Split(',')[0]);
    }
}
