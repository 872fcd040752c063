using StableSnn.Contracts;
using System.Text.Json;
using StableSnn.Trainer.Attacks;
using StableSnn.Trainer.Models;
using StableSnn.Trainer.Spiking;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Tests.Attacks;

public sealed class SurrogateAttackTests
{
    private const float Eps = 8f / 255f;

    /// <summary>Records the surrogate override in force at each forward.</summary>
    private sealed class ProbeModel(nn.Module<Tensor, Tensor> inner) : nn.Module<Tensor, Tensor>(nameof(ProbeModel))
    {
        public List<SurrogateGradient?> Seen { get; } = [];

        public override Tensor forward(Tensor x)
        {
            Seen.Add(SurrogateOverride.Current);
            return inner.call(x);
        }
    }

    [Theory]
    [InlineData(AttackKind.Fgsm)]
    [InlineData(AttackKind.Pgd)]
    [InlineData(AttackKind.Apgd)]
    [InlineData(AttackKind.RFgsm)]
    public void FactoryWrapsGradientAttacksThatNameASurrogate(AttackKind kind)
    {
        var surrogate = new SurrogateGradient(SurrogateShape.Arctan, 0.5, Adaptive: true);
        var config = new AttackConfig("a", kind, Eps, Steps: 3, StepSize: Eps / 2, Surrogate: surrogate);
        var attack = Assert.IsType<SurrogateAttack>(AttackFactory.Create(config));
        Assert.Equal(surrogate, attack.Gradient);
        Assert.Equal("a", attack.Name);
        Assert.Equal(Eps, attack.Epsilon);
        Assert.IsNotType<SurrogateAttack>(AttackFactory.Create(config with { Surrogate = null }));
    }

    [Fact]
    public void GradientFreeAttacksAreNotWrapped()
    {
        var surrogate = new SurrogateGradient(SurrogateShape.Sigmoid);
        Assert.IsType<SquareAttack>(AttackFactory.Create(new AttackConfig("s", AttackKind.Square, Eps, Steps: 10, Surrogate: surrogate)));
        Assert.IsType<GaussianNoise>(AttackFactory.Create(new AttackConfig("g", AttackKind.Gaussian, Eps, Sigma: Eps, Surrogate: surrogate)));
        // A transfer's inner attack differentiates through the source model: that one is wrapped.
        using var source = new TinyMlp(4, seed: 1);
        var transfer = Assert.IsType<Transfer>(AttackFactory.Create(
            new AttackConfig("t", AttackKind.Transfer, Eps, Steps: 2, StepSize: Eps, SourceCheckpoint: "src", Surrogate: surrogate), _ => source));
        Assert.IsType<SurrogateAttack>(transfer.Inner);
    }

    [Fact]
    public void TheOverrideCoversEveryForwardOfTheAttackAndIsRestored()
    {
        using var scope = NewDisposeScope();
        var surrogate = new SurrogateGradient(SurrogateShape.Sigmoid);
        using var model = new ProbeModel(new TinyMlp(4, seed: 2));
        var (images, labels) = AttackFixture.MakeData(8, seed: 3);
        // A tiny eps fools nobody, so no example leaves early: the clean pass, the start and 5 iterations.
        new SurrogateAttack(new Apgd(1e-4f, 5), surrogate).Perturb(model, images, labels, seeds: 1);
        Assert.Equal(7, model.Seen.Count);
        Assert.All(model.Seen, s => Assert.Same(surrogate, s));
        Assert.Null(SurrogateOverride.Current);
    }

    [Fact]
    public void ASpikingNetworksAttackChangesWithTheSurrogate()
    {
        using var scope = NewDisposeScope();
        manual_seed(8);
        using var net = Architectures.Build("small-cnn", new InputShape(1, 8, 8), 4, new NeuronOptions(TimeSteps: 4), [0.5f], [0.25f]);
        var (images, labels) = AttackFixture.MakeData(16, seed: 4);
        net.eval();
        Tensor InputGradient(SurrogateGradient? g)
        {
            var x = images.clone().requires_grad_();
            using (SurrogateOverride.Use(g)) nn.functional.cross_entropy(net.call(x), labels).backward();
            return x.grad!.clone();
        }
        // The default surrogate through the stepwise graph is the training one (up to rounding: fused vs stepwise).
        var training = InputGradient(null);
        Assert.True(training.abs().max().item<float>() > 0);
        Assert.True(training.allclose(InputGradient(new SurrogateGradient()), rtol: 1e-3, atol: 1e-6));
        var pgd = new Pgd(Eps, 3, Eps / 2, randomStart: false);
        var plain = pgd.Perturb(net, images, labels, seeds: 1);
        var arctan = new SurrogateAttack(pgd, new SurrogateGradient(SurrogateShape.Arctan, 4.0)).Perturb(net, images, labels, seeds: 1);
        Assert.False(AttackFixture.Same(plain, arctan));
        Assert.True((arctan - images).abs().max().item<float>() <= Eps + 1e-6f);
    }

    [Fact]
    public void ConfigWithASurrogateRoundTripsThroughJson()
    {
        var config = new AttackConfig("PGD-arctan", AttackKind.Pgd, Eps, Steps: 10, StepSize: Eps / 4,
            Surrogate: new SurrogateGradient(SurrogateShape.Arctan, 2.0, Adaptive: true) { Momentum = 0.5, Scale = 2 })
        { TargetClasses = 4, Step = StepRule.Stable };
        var json = JsonSerializer.Serialize(config, ContractJson.Options);
        Assert.Contains("\"Arctan\"", json);
        Assert.Equal(config, JsonSerializer.Deserialize<AttackConfig>(json, ContractJson.Options));
        var square = new AttackConfig("Square", AttackKind.Square, Eps, Steps: 1000, PInit: 0.8f) { RescaleSchedule = false };
        Assert.Equal(square, JsonSerializer.Deserialize<AttackConfig>(JsonSerializer.Serialize(square, ContractJson.Options), ContractJson.Options));
    }
}
