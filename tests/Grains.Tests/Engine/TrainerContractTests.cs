using System.Text.Json;
using StableSnn.Grains.Model;
using StableSnn.Grains.Policy;
using StableSnn.Trainer.Data;
using StableSnn.Trainer.Experiment;
using StableSnn.Trainer.Models;

namespace StableSnn.Grains.Tests.Engine;

/// <summary>The grains know the trainer only through copies (no TorchSharp in grains); these keep the copies honest.</summary>
public class TrainerContractTests
{
    [Fact]
    public void KnownValuesMatchWhatTheTrainerAccepts()
    {
        Assert.Equal(DatasetCatalog.Names.Order(), KnownValues.Datasets.Order());
        Assert.Equal(Architectures.Names.Order(), KnownValues.Architectures.Order());
        Assert.Equal(ExperimentSpec.Neurons.Order(), KnownValues.Neurons.Order());
        Assert.Equal(ExperimentSpec.Modes.Order(), KnownValues.Modes.Order());
        Assert.Equal(AttackPhase.SuiteNames.Order(), KnownValues.AttackSuites.Order());
    }

    [Fact]
    public void TrainerSpecFileIsAValidExperimentSpecWithEverySettingCarriedOver()
    {
        var sweep = new SweepSpec
        {
            Name = "contract", Datasets = ["mnist"], Architectures = ["vgg5"], Neurons = ["dlif"], Modes = ["at-reg"],
            Alphas = [0.25], Seeds = [7], Epochs = 3, AttackSuite = "quick",
            Training = new TrainingSettings { DataRoot = "/data", BatchSize = 16, LearningRate = 0.05, TrainSubset = 100,
                TestSubset = 50, ValidationFraction = 0.2, TimeSteps = 4, AttackSubset = 20 },
        };
        var point = GridExpansion.Expand(sweep).Single();
        var path = Path.GetTempFileName();
        File.WriteAllText(path, TrainerSpec.For(sweep, point).ToJson());

        var spec = ExperimentSpec.Load(path); // rejects unknown fields and invalid values

        Assert.Equal(("mnist", "/data", "vgg5", "dlif", "at-reg", 0.25, 7, 3), (spec.Dataset, spec.DataRoot, spec.Architecture, spec.Neuron, spec.Mode, spec.Alpha, spec.Seed, spec.Epochs));
        Assert.Equal((16, 0.05, 100, 50, 0.2, 4, "quick", 20), (spec.BatchSize, spec.LearningRate, spec.TrainSubset, spec.TestSubset, spec.ValidationFraction, spec.TimeSteps, spec.AttackSuite, spec.AttackSubset));
        Assert.Equal(point.ExperimentKey("contract"), spec.Id);
        File.Delete(path);
    }
}
