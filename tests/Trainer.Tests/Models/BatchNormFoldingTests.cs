using StableSnn.Contracts;
using StableSnn.Trainer.Attacks;
using StableSnn.Trainer.Models;
using StableSnn.Trainer.Spiking;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Tests.Models;

/// <summary>
/// The folded attack copy must compute the trained network's function. Folding changes float rounding (a product
/// computed once instead of a convolution then an affine map), so logits are compared within a tolerance; a
/// membrane potential within rounding of the threshold could in principle flip a spike, so spikes and attack masks
/// are asserted identical for these models and seeds, which is what holds here, not a law.
/// </summary>
public sealed class BatchNormFoldingTests
{
    const int Classes = 5;
    const int TimeSteps = 3;
    // eps far above the usual 1e-5 and some running variances near 1e-3: a fold that forgot eps would be ~20% off.
    const double Eps = 0.05;

    static readonly NeuronOptions Neuron = new(NeuronKind.Dlif, TimeSteps);

    static SpikingNetwork Build(string architecture, InputShape shape) =>
        Architectures.Build(architecture, shape, Classes, Neuron, [.. Enumerable.Repeat(0.4f, shape.Channels)],
            [.. Enumerable.Repeat(0.25f, shape.Channels)]);

    /// <summary>A network with random weights, DLIF gains and batch-norm statistics (init's are the identity map).</summary>
    static SpikingNetwork Trained(string architecture, InputShape shape, ulong seed)
    {
        manual_seed((long)seed); // the initialisation draws from the global generator
        var model = Build(architecture, shape);
        using var gen = new Generator(seed);
        using var noGrad = no_grad();
        // Kaiming-initialised hidden linear layers of VGG (4096 wide) barely spike on random input.
        foreach (var linear in model.modules().OfType<Linear>())
            linear.weight!.mul_(4);
        foreach (var bn in model.modules().OfType<BatchNorm2d>())
        {
            long c = bn.running_mean!.shape[0];
            bn.running_mean.copy_(randn(c, generator: gen) * 0.5);
            bn.running_var!.copy_(rand(c, generator: gen) * 2 + 0.001);
            bn.weight!.copy_(rand(c, generator: gen) + 0.5);
            bn.bias!.copy_(randn(c, generator: gen) * 0.3 + 0.2);
            bn.eps = Eps;
        }
        foreach (var neuron in model.Neurons)
            neuron.Gains!.copy_(rand(TimeSteps, generator: gen) + 0.5);
        model.eval();
        return model;
    }

    [Theory]
    [InlineData("small-cnn", 1, 28)]
    [InlineData("vgg5", 3, 16)]
    [InlineData("wrn16", 3, 16)]
    public void FoldedCopyGivesTheSameSpikesAndLogits(string architecture, int channels, int side)
    {
        var shape = new InputShape(channels, side, side);
        using var model = Trained(architecture, shape, 7);
        using var folded = BatchNormFolding.AttackCopy(model, () => Build(architecture, shape));
        // In WRN-16 only each block's conv1 -> bn2 is adjacent; bn1 and the last BN follow a spike or a sum.
        var left = architecture == "wrn16" ? model.modules().OfType<BatchNorm2d>().Count() - 6 : 0;
        Assert.Equal(left, folded.modules().OfType<BatchNorm2d>().Count());
        Assert.True(model.training is false && folded.training is false);

        using var gen = new Generator(11);
        using var images = rand([16, channels, side, side], generator: gen);
        var (logits, spikes) = Run(model, images);
        var (foldedLogits, foldedSpikes) = Run(folded, images);

        var scale = Math.Max(1.0, logits.abs().max().item<float>());
        Assert.True((logits - foldedLogits).abs().max().item<float>() <= 1e-5 * scale,
            $"logits differ by {(logits - foldedLogits).abs().max().item<float>()}");
        Assert.NotEmpty(spikes);
        Assert.Equal(spikes.Count, foldedSpikes.Count);
        for (var i = 0; i < spikes.Count; i++)
        {
            Assert.True((spikes[i] == foldedSpikes[i]).all().item<bool>(), $"spiking layer {i} differs");
            // A silent or saturated layer would hide a wrong fold.
            var rate = spikes[i].mean().item<float>();
            Assert.True(rate is > 0 and < 1, $"spiking layer {i} fires at rate {rate}");
        }
        // The trained model is untouched: still unfolded, same logits.
        Assert.NotEmpty(model.modules().OfType<BatchNorm2d>());
        Assert.True((Run(model, images).Logits == logits).all().item<bool>());
    }

    [Fact]
    public void FoldedCopyIsFrozenAndItsInputGradientIsThatOfTheUnfrozenCopy()
    {
        var shape = new InputShape(1, 12, 12);
        using var model = Trained("small-cnn", shape, 4);
        using var folded = BatchNormFolding.AttackCopy(model, () => Build("small-cnn", shape));
        Assert.All(folded.parameters(), p => Assert.False(p.requires_grad));
        using var gen = new Generator(9);
        using var images = rand([8, 1, 12, 12], generator: gen);
        using var labels = randint(Classes, [8], generator: gen);

        Tensor InputGradient()
        {
            using var adaptive = SurrogateOverride.Use(AttackSuites.Adaptive);
            using var grad = enable_grad();
            var x = images.detach().requires_grad_(true);
            var loss = nn.functional.cross_entropy(folded.call(x), labels);
            return autograd.grad([loss], [x])[0];
        }

        using var frozen = InputGradient();
        foreach (var p in folded.parameters()) p.requires_grad_(true);
        using var unfrozen = InputGradient();
        Assert.True(frozen.abs().sum().item<float>() > 0, "no gradient reached the input: the comparison would say nothing");
        Assert.True((frozen == unfrozen).all().item<bool>(), $"input gradients differ by {(frozen - unfrozen).abs().max().item<float>()}");
    }

    [Fact]
    public void FoldedAndUnfoldedModelsGiveTheSameAttackResults()
    {
        var shape = new InputShape(1, 12, 12);
        using var model = Trained("small-cnn", shape, 3);
        using var folded = BatchNormFolding.AttackCopy(model, () => Build("small-cnn", shape));
        using var gen = new Generator(5);
        using var images = rand([40, 1, 12, 12], generator: gen);
        // The model's own answer for most images (so attacks have something to break), a random label for the rest.
        using var predicted = WithoutGrad(() => model.call(images).argmax(1));
        using var labels = where(arange(40) < 30, predicted, randint(Classes, [40], generator: gen));
        // A wide ball, so that every attack breaks some images on this untrained model.
        const float eps = 48f / 255f;
        List<AttackConfig> suite =
        [
            AttackSuites.Fgsm8 with { Epsilon = eps }, AttackSuites.Pgd7 with { Epsilon = eps, StepSize = eps / 4 },
            AttackSuites.RFgsm8 with { Epsilon = eps, StepSize = eps / 2 }, AttackSuites.Square8(40, 0.3f, rescale: true) with { Epsilon = eps },
        ];

        var a = RobustnessEvaluator.Run(model, suite, images, labels, batchSize: 16, seed: 2);
        var b = RobustnessEvaluator.Run(folded, suite, images, labels, batchSize: 16, seed: 2);

        Assert.Equal(a.CleanMask, b.CleanMask);
        Assert.Equal(a.Attacks.Count, b.Attacks.Count);
        for (var i = 0; i < a.Attacks.Count; i++)
        {
            Assert.Equal(a.Attacks[i].Mask, b.Attacks[i].Mask);
            Assert.Equal(a.Attacks[i].Attempted, b.Attacks[i].Attempted);
        }
        Assert.InRange(a.CleanCorrect, 25, 40);
        // Single-step attacks meet masked gradients on this untrained SNN; PGD and Square must break something.
        Assert.All(a.Attacks.Where(x => x.Attack.Name is "PGD-7" or "Square-8"),
            x => Assert.True(x.Correct < a.CleanCorrect, $"{x.Attack.Name} broke nothing: the comparison would say little"));
        Assert.Equal(a.ZeroGradientFraction, b.ZeroGradientFraction);

        // Per-example seeds: another batch size gives the same masks on the spiking network too.
        var c = RobustnessEvaluator.Run(folded, suite, images, labels, batchSize: 7, seed: 2);
        Assert.Equal(b.CleanMask, c.CleanMask);
        Assert.Equal(b.Attacks.Select(x => x.Mask), c.Attacks.Select(x => x.Mask));
    }

    static Tensor WithoutGrad(Func<Tensor> f)
    {
        using var _ = no_grad();
        return f();
    }

    /// <summary>Logits and, per spiking layer reached through call (hooks do not see a direct forward), its spikes.</summary>
    static (Tensor Logits, List<Tensor> Spikes) Run(SpikingNetwork model, Tensor images)
    {
        var spikes = new List<Tensor>();
        var hooks = model.modules().OfType<SpikingNeuron>()
            .Select(n => n.register_forward_hook((_, _, output) =>
            {
                spikes.Add(output.detach().clone().DetachFromDisposeScope());
                return output;
            })).ToList();
        using var noGrad = no_grad();
        var logits = model.call(images);
        foreach (var hook in hooks) hook.remove();
        return (logits, spikes);
    }
}
