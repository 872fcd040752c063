using StableSnn.Contracts;
using StableSnn.Trainer.Attacks;
using StableSnn.Trainer.Spiking;
using StableSnn.Trainer.Training;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Tests.Training;

/// <summary>Runs alone: it changes libtorch's process-wide default device.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DefaultDeviceCollection
{
    public const string Name = "default device";
}

/// <summary>
/// A device audit without a GPU: model and batch live on the CPU while libtorch's default device is "meta", so any
/// tensor created without an explicit device lands somewhere else and the step fails, as it would on CUDA.
/// </summary>
[Collection(DefaultDeviceCollection.Name)]
public sealed class DeviceAuditTests
{
    [Theory]
    [InlineData(TrainingMode.Raw, 0.0)]
    [InlineData(TrainingMode.Raw, 1.0)]
    [InlineData(TrainingMode.Gaussian, 0.0)]
    [InlineData(TrainingMode.Gaussian, 1.0)]
    [InlineData(TrainingMode.At, 0.0)]
    [InlineData(TrainingMode.At, 1.0)]
    [InlineData(TrainingMode.AtReg, 0.0)]
    [InlineData(TrainingMode.AtReg, 1.0)]
    public void Training_steps_create_every_tensor_on_the_inputs_device(TrainingMode mode, double alpha)
    {
        using var scope = NewDisposeScope();
        var (images, labels) = SyntheticTask.Make(32, seed: 11);
        var model = SyntheticTask.Network(NeuronKind.Dlif, 3);
        var options = new TrainingOptions { Mode = mode, Alpha = alpha, Epochs = 1, BatchSize = 16, Seed = 3 };
        var step = new TrainingStep(model, optim.SGD(model.parameters(), 0.05), options, ratBeta: 0.001);
        OnMetaByDefault(() => step.Run(images, labels, new Random(3)));
    }

    [Fact]
    public void The_evaluator_and_every_attack_create_every_tensor_on_the_inputs_device()
    {
        using var scope = NewDisposeScope();
        var (images, labels) = SyntheticTask.Make(24, seed: 12);
        var model = SyntheticTask.Network(NeuronKind.Lif, 4);
        model.eval();
        // The synthetic task has two classes, too few for DLR: every other attack of the built-in suites runs.
        IReadOnlyList<AttackConfig> suite =
        [
            .. AttackSuites.Standard, .. AttackSuites.Reliable.Select(a => a with { Steps = Math.Min(a.Steps, 5) }),
            AttackSuites.Pgd7 with { Name = "PGD-7-sigmoid", Surrogate = new SurrogateGradient(SurrogateShape.Sigmoid) },
        ];
        suite = suite.Where(a => a.Loss != AttackLoss.DLR).ToList();
        OnMetaByDefault(() => RobustnessEvaluator.Run(model, suite, images, labels, batchSize: 12, seed: 1));
    }

    static void OnMetaByDefault(Action work)
    {
        var previous = get_default_device();
        set_default_device(device("meta"));
        try { work(); }
        finally { set_default_device(previous); }
    }
}
