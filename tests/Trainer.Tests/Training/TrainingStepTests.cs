using StableSnn.Trainer.Spiking;
using StableSnn.Trainer.Training;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Tests.Training;

public class TrainingStepTests
{
    static double TrainAndScore(TrainingMode mode, NeuronKind kind, int seed, double alpha = 1.0)
    {
        using var scope = NewDisposeScope();
        var (images, labels) = SyntheticTask.Make(256, seed: 11);
        var model = SyntheticTask.Network(kind, seed);
        var options = new TrainingOptions { Mode = mode, Alpha = alpha, Epochs = 3, BatchSize = 32, Seed = seed };
        var optimizer = optim.SGD(model.parameters(), options.LearningRate, options.Momentum, weight_decay: options.EffectiveWeightDecay);
        var step = new TrainingStep(model, optimizer, options, ratBeta: 0.001);
        var rng = new Random(seed);
        for (int epoch = 0; epoch < options.Epochs; epoch++)
            for (int b = 0; b < 256; b += 32)
                step.Run(images[TensorIndex.Slice(b, b + 32)], labels[TensorIndex.Slice(b, b + 32)], rng);

        var (testImages, testLabels) = SyntheticTask.Make(200, seed: 12);
        model.eval();
        using var _ = no_grad();
        return model.forward(testImages).argmax(1).eq(testLabels).to_type(ScalarType.Float32).mean().item<float>();
    }

    [Theory]
    [InlineData(TrainingMode.Raw, NeuronKind.Lif)]
    [InlineData(TrainingMode.Gaussian, NeuronKind.Lif)]
    [InlineData(TrainingMode.At, NeuronKind.Dlif)]
    [InlineData(TrainingMode.AtReg, NeuronKind.Dlif)]
    public void SmallNetworkLearnsASeparableTaskInEveryMode(TrainingMode mode, NeuronKind kind) =>
        Assert.True(TrainAndScore(mode, kind, seed: 5) > 0.95, $"{mode}/{kind} did not learn the toy task");

    [Fact]
    public void SameSeedGivesTheSameResultAndAnotherSeedDiffers()
    {
        double a = TrainAndScore(TrainingMode.At, NeuronKind.Lif, seed: 3, alpha: 0.5);
        double b = TrainAndScore(TrainingMode.At, NeuronKind.Lif, seed: 3, alpha: 0.5);
        Assert.Equal(a, b);
    }

    [Fact]
    public void NonFiniteLossStopsTheRunAsDiverged()
    {
        using var scope = NewDisposeScope();
        var model = SyntheticTask.Network(NeuronKind.Lif, 1);
        var options = new TrainingOptions { Mode = TrainingMode.Raw };
        var step = new TrainingStep(model, optim.SGD(model.parameters(), 0.1), options, 0.001);
        var (images, labels) = SyntheticTask.Make(8, 1);
        using (no_grad()) model.parameters().Last().fill_(float.NaN); // spikes would swallow a NaN pixel; logits cannot

        Assert.Throws<DivergedException>(() => step.Run(images, labels, new Random(1)));
    }
}
