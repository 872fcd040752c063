using StableSnn.Contracts;
using StableSnn.Trainer.Models;
using StableSnn.Trainer.Spiking;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Tests.Spiking;

public class SurrogateOverrideTests
{
    public static TheoryData<SurrogateShape, bool> Surrogates => new()
    {
        { SurrogateShape.Triangle, false }, { SurrogateShape.Sigmoid, false }, { SurrogateShape.Arctan, false },
        { SurrogateShape.Triangle, true }, { SurrogateShape.Sigmoid, true }, { SurrogateShape.Arctan, true },
    };

    /// <summary>ds/dI of a layer fed <paramref name="currents"/> as [T*B, N] (Vth 1, g 1), summed over its spikes.</summary>
    static float[] InputGradient(float[] currents, SurrogateGradient? surrogate, int steps = 1, double tau = 0.99, long neurons = 1)
    {
        using var scope = NewDisposeScope();
        var neuron = new SpikingNeuron(new NeuronOptions(NeuronKind.Lif, TimeSteps: steps, Tau: tau));
        var input = tensor(currents).reshape(-1, neurons).requires_grad_();
        using (SurrogateOverride.Use(surrogate)) neuron.forward(input).sum().backward();
        return input.grad!.data<float>().ToArray();
    }

    [Theory]
    [MemberData(nameof(Surrogates))]
    public void ForwardSpikesAndLogitsAreBitwiseUnchanged(SurrogateShape shape, bool adaptive)
    {
        using var scope = NewDisposeScope();
        foreach (var kind in new[] { NeuronKind.Lif, NeuronKind.Dlif })
        {
            manual_seed(21);
            var net = Architectures.Build("small-cnn", new InputShape(1, 8, 8), 3, new NeuronOptions(kind, TimeSteps: 4), [0.5f], [0.25f]);
            net.eval();
            var images = rand(16, 1, 8, 8).requires_grad_();
            var plain = net.call(images);
            var layer = (randn(4 * 3, 50) * 0.8 + 0.6).requires_grad_();
            var plainSpikes = net.Neurons[0].forward(layer);
            using (SurrogateOverride.Use(new SurrogateGradient(shape, Adaptive: adaptive)))
            {
                Assert.True(AttackFixtureSame(plain, net.call(images)), $"{kind} logits changed");
                var spikes = net.Neurons[0].forward(layer);
                Assert.True(plainSpikes.sum().item<float>() > 100, "the layer should fire");
                Assert.True(AttackFixtureSame(plainSpikes, spikes), $"{kind} spikes changed");
            }
            Assert.True(plain.std().item<float>() > 0, "logits should depend on the input");
        }
    }

    static bool AttackFixtureSame(Tensor a, Tensor b) => Attacks.AttackFixture.Same(a, b);

    [Fact]
    public void TriangleIsTheTrainingSurrogate() =>
        // (1/g^2) max(0, g - |v|), g = 1, v = I - 1.
        Assert.Equal([1f, 0.5f, 0.5f, 0f], InputGradient([1f, 1.5f, 0.5f, 3f], new(SurrogateShape.Triangle), neurons: 4));

    [Fact]
    public void SigmoidMatchesHandValues()
    {
        // k = 4/g = 4: k s (1 - s). v = 0: 4 * 0.25 = 1; v = +-0.5: s = sigmoid(2) = 0.880797, 4 * 0.880797 * 0.119203
        // = 0.419974; v = 2: s = sigmoid(8) = 0.99966465, 4 * 0.99966465 * 0.00033535 = 0.00134095 (the triangle gives 0).
        var grad = InputGradient([1f, 1.5f, 0.5f, 3f], new(SurrogateShape.Sigmoid), neurons: 4);
        Assert.Equal(1, grad[0], 1e-5);
        Assert.Equal(0.419974, grad[1], 1e-5);
        Assert.Equal(0.419974, grad[2], 1e-5);
        Assert.Equal(0.00134095, grad[3], 1e-6);
    }

    [Fact]
    public void ArctanMatchesHandValues()
    {
        // (1/g) / (1 + (pi v / g)^2), g = 1. v = 0: 1; v = +-0.5: 1 / (1 + 2.4674011) = 0.288400; v = 2: 1 / 40.478418 = 0.0247045.
        var grad = InputGradient([1f, 1.5f, 0.5f, 3f], new(SurrogateShape.Arctan), neurons: 4);
        Assert.Equal(1, grad[0], 1e-5);
        Assert.Equal(0.288400, grad[1], 1e-5);
        Assert.Equal(0.288400, grad[2], 1e-5);
        Assert.Equal(0.02470452, grad[3], 1e-7);
    }

    [Fact]
    public void AnExplicitWidthReplacesTheNeuronsOwn()
    {
        // g = 2, v = 0.5. Sigmoid: k = 2, s = sigmoid(1) = 0.7310586, 2 * 0.7310586 * 0.2689414 = 0.393224.
        // Arctan: 0.5 / (1 + (pi/4)^2) = 0.5 / 1.6168503 = 0.309243. Triangle: (2 - 0.5) / 4 = 0.375.
        Assert.Equal(0.393224, InputGradient([1.5f], new(SurrogateShape.Sigmoid, 2.0))[0], 1e-5);
        Assert.Equal(0.309243, InputGradient([1.5f], new(SurrogateShape.Arctan, 2.0))[0], 1e-5);
        Assert.Equal(0.375, InputGradient([1.5f], new(SurrogateShape.Triangle, 2.0))[0], 1e-7);
    }

    [Fact]
    public void ArctanFlowsThroughTimeAndTheReset()
    {
        // T = 2, tau 0.5, I = [0.8, 0.9]: u0 = 0.8 (v -0.2, no spike), u1 = 0.4 + 0.9 = 1.3 (v 0.3).
        // sg(-0.2) = 1 / (1 + 0.04 pi^2) = 0.716957; sg(0.3) = 1 / (1 + 0.09 pi^2) = 0.529587.
        // gI1 = sg(0.3); gI0 = sg(-0.2) + tau sg(0.3) (1 - s0 - u0 sg(-0.2)) = 0.716957 + 0.264793 * 0.426434 = 0.829874.
        var grad = InputGradient([0.8f, 0.9f], new(SurrogateShape.Arctan), steps: 2, tau: 0.5);
        Assert.Equal(0.829874, grad[0], 1e-5);
        Assert.Equal(0.529587, grad[1], 1e-5);
    }

    [Fact]
    public void AdaptiveWidthFollowsTheDocumentedRule()
    {
        // One forward, T = 1, scale pi: r = |v|, g = max(0.05, pi |v|). Arctan: g / (g^2 + pi^2 v^2) = 1 / (2 pi |v|):
        // I = 3 or -1 (v = +-2): 1 / (4 pi) = 0.0795775; I = 1.5 (v = 0.5): 1 / pi = 0.3183099. I = 1 (v = 0): g = 0.05, 1 / g = 20.
        float[] currents = [3f, -1f, 1.5f, 1f];
        var arctan = InputGradient(currents, new(SurrogateShape.Arctan, Adaptive: true) { Scale = Math.PI }, neurons: 4);
        Assert.Equal(0.0795775, arctan[0], 1e-6);
        Assert.Equal(0.0795775, arctan[1], 1e-6);
        Assert.Equal(0.3183099, arctan[2], 1e-6);
        Assert.Equal(20, arctan[3], 1e-3);
        // Triangle of width pi |v| at |v| = 2: (2 pi - 2) / (2 pi)^2 = 0.1084944, where the training triangle gives 0.
        Assert.Equal(0.1084944, InputGradient([3f], new(SurrogateShape.Triangle, Adaptive: true) { Scale = Math.PI })[0], 1e-6);
        // The default scale 1: g = |v|, so the arctan passes 1 / ((1 + pi^2) |v|): at |v| = 2, 1 / 21.739209 = 0.0459998.
        Assert.Equal(0.0459998, InputGradient([3f], new(SurrogateShape.Arctan, Adaptive: true))[0], 1e-6);
        Assert.Equal(0f, InputGradient([3f], new(SurrogateShape.Triangle))[0]);
    }

    [Fact]
    public void TheWidthFollowsARunningMeanOverTheAttacksForwards()
    {
        using var scope = NewDisposeScope();
        var neuron = new SpikingNeuron(new NeuronOptions(NeuronKind.Lif, TimeSteps: 1));
        float Grad(float current)
        {
            var input = tensor(new[] { current }).reshape(1, 1).requires_grad_();
            neuron.forward(input).sum().backward();
            return input.grad!.item<float>();
        }
        using (SurrogateOverride.Use(new SurrogateGradient(SurrogateShape.Arctan, Adaptive: true) { Scale = Math.PI }))
        {
            Grad(3f); // v = 2: r^2 = 4
            // A forward that cannot be followed by a backward does not count.
            using (no_grad()) neuron.forward(tensor(new[] { 100f }).reshape(1, 1));
            // v = 0.5: r^2 = 0.75 * 4 + 0.25 * 0.25 = 3.0625, g = 1.75 pi = 5.497787; 5.497787 / (30.22566 + 2.467401) = 0.1681637.
            Assert.Equal(0.1681637, Grad(1.5f), 1e-6);
            Assert.Equal(2, SurrogateOverride.Tracker!.Updates);
        }
        // Outside the use the statistics are gone: a new use starts from the current forward (1 / pi at v = 0.5).
        using (SurrogateOverride.Use(new SurrogateGradient(SurrogateShape.Arctan, Adaptive: true) { Scale = Math.PI }))
            Assert.Equal(0.3183099, Grad(1.5f), 1e-6);
    }

    [Theory]
    [InlineData(SurrogateShape.Arctan)]
    [InlineData(SurrogateShape.Triangle)]
    public void AnExamplesAdaptiveGradientDoesNotDependOnItsBatchMates(SurrogateShape shape)
    {
        using var scope = NewDisposeScope();
        var options = new NeuronOptions(NeuronKind.Dlif, TimeSteps: 4);
        var neuron = new SpikingNeuron(options);
        manual_seed(8);
        var alone = randn(4, 1, 30) * 3;
        var mates = randn(4, 6, 30) * 5 + 2;
        Tensor Grads(Tensor currents, int forwards)
        {
            using var use = SurrogateOverride.Use(new SurrogateGradient(shape, Adaptive: true));
            Tensor? grad = null;
            for (var k = 0; k < forwards; k++)
            {
                var input = (currents * (1 + 0.1 * k)).flatten(0, 1).requires_grad_();
                neuron.forward(input).sum().backward();
                grad = input.grad!.unflatten(0, [4, currents.shape[1]]);
            }
            return grad!;
        }
        var single = Grads(alone, 3);
        var batched = Grads(cat([mates.narrow(1, 0, 3), alone, mates.narrow(1, 3, 3)], 1), 3).narrow(1, 3, 1);
        Assert.True(Attacks.AttackFixture.Same(single, batched), "an example's gradient changed with its batch-mates");
    }

    [Fact]
    public void RescalingCurrentsAndThresholdKeepsTheAdaptiveGradientsDirection()
    {
        using var scope = NewDisposeScope();
        manual_seed(9);
        var current = randn(4 * 2, 20) * 2;
        Tensor Grad(float scale)
        {
            var neuron = new SpikingNeuron(new NeuronOptions(NeuronKind.Lif, TimeSteps: 4, Threshold: scale));
            var input = (current * scale).requires_grad_();
            using (SurrogateOverride.Use(new SurrogateGradient(SurrogateShape.Arctan, Adaptive: true)))
                neuron.forward(input).sum().backward();
            return input.grad!.clone();
        }
        var plain = Grad(1);
        var scaled = Grad(4096);
        Assert.True((plain != 0).all().item<bool>(), "the arctan has no zero support");
        // Elements far from threshold keep the same sign and proportions; only those within MinWidth of it differ.
        var agree = (plain.sign() == scaled.sign()).to(ScalarType.Float32).mean().ToDouble();
        Assert.True(agree > 0.95, $"signs agree on {agree:P1} of the elements");
    }

        [Fact]
    public void WithoutAnOverrideTheFusedKernelRunsAsBefore()
    {
        using var scope = NewDisposeScope();
        var options = new NeuronOptions(NeuronKind.Lif, TimeSteps: 4);
        var neuron = new SpikingNeuron(options);
        manual_seed(5);
        var current = randn(4 * 3, 40) * 0.8 + 0.6;
        var weights = randn(4 * 3, 40);
        Tensor Grad(Func<Tensor, Tensor> run)
        {
            var input = current.clone().requires_grad_();
            (run(input) * weights).sum().backward();
            return input.grad!.clone();
        }
        var fused = Grad(i => FusedLif.Run(i, null, options));
        Assert.True(Attacks.AttackFixture.Same(fused, Grad(neuron.forward)), "no override should be the fused kernel");
        // Inside a triangle override the fused kernel still runs (same function); after it, the kernel as before.
        using (SurrogateOverride.Use(new SurrogateGradient()))
        {
            var stepwise = Grad(neuron.forward);
            Assert.True(stepwise.allclose(fused, rtol: 1e-4, atol: 1e-5));
            using (SurrogateOverride.Use(null)) Assert.True(Attacks.AttackFixture.Same(fused, Grad(neuron.forward)));
            Assert.NotNull(SurrogateOverride.Current);
        }
        Assert.Null(SurrogateOverride.Current);
        Assert.True(Attacks.AttackFixture.Same(fused, Grad(neuron.forward)));
    }

    [Theory]
    [InlineData(SurrogateShape.Triangle, null)]
    [InlineData(SurrogateShape.Triangle, 3.0)]
    [InlineData(SurrogateShape.Arctan, null)]
    public void TheFusedKernelAppliesTheAdaptiveSurrogateAsTheStepwiseGraphDoes(SurrogateShape shape, double? width)
    {
        using var scope = NewDisposeScope();
        var options = new NeuronOptions(NeuronKind.Dlif, TimeSteps: 4);
        var fused = new SpikingNeuron(options);
        var stepwise = new SpikingNeuron(options) { ForceStepwise = true };
        manual_seed(6);
        // Currents far from threshold: the training triangle (g = 1) leaves most neuron-steps without gradient.
        var current = randn(4 * 3, 50) * 6;
        var weights = randn(4 * 3, 50);
        Tensor Grad(SpikingNeuron neuron)
        {
            using var use = SurrogateOverride.Use(new SurrogateGradient(shape, width, Adaptive: true));
            Tensor? grad = null;
            // Three forwards, so the running statistics matter too.
            for (var k = 0; k < 3; k++)
            {
                var input = (current + k).requires_grad_();
                (neuron.forward(input) * weights).sum().backward();
                grad = input.grad!.clone();
            }
            return grad!;
        }
        var a = Grad(fused);
        var b = Grad(stepwise);
        Assert.True(a.allclose(b, rtol: 1e-4, atol: 1e-6), "fused and stepwise adaptive gradients differ");
        Assert.True((a != 0).to(ScalarType.Float32).mean().ToDouble() > 0.5, "the adaptive width should reach most neuron-steps");
    }

    [Fact]
    public void TheFusedKernelComputesTheArctanAsTheStepwiseGraphDoes()
    {
        using var scope = NewDisposeScope();
        var options = new NeuronOptions(NeuronKind.Lif, TimeSteps: 4);
        manual_seed(7);
        var current = randn(4 * 3, 40) * 2;
        Tensor Grad(bool forceStepwise)
        {
            var neuron = new SpikingNeuron(options) { ForceStepwise = forceStepwise };
            var input = current.clone().requires_grad_();
            using (SurrogateOverride.Use(new SurrogateGradient(SurrogateShape.Arctan, 0.7))) neuron.forward(input).sum().backward();
            return input.grad!.clone();
        }
        Assert.True(Grad(false).allclose(Grad(true), rtol: 1e-4, atol: 1e-6));
    }

    [Fact]
    public void TheOverrideIsPerThread()
    {
        using var outer = SurrogateOverride.Use(new SurrogateGradient(SurrogateShape.Arctan));
        SurrogateGradient? seen = new(SurrogateShape.Sigmoid);
        var thread = new Thread(() => seen = SurrogateOverride.Current);
        thread.Start();
        thread.Join();
        Assert.Null(seen);
        Assert.Equal(SurrogateShape.Arctan, SurrogateOverride.Current!.Shape);
    }

    [Fact]
    public void InvalidParametersAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SurrogateGradient(Width: 0));
        Assert.Contains(new SurrogateGradient(Adaptive: true) { Momentum = 1 }.Validate(), e => e.StartsWith("surrogate.momentum"));
        Assert.Contains(new SurrogateGradient(Adaptive: true) { Scale = 0 }.Validate(), e => e.StartsWith("surrogate.scale"));
        Assert.Contains(new SurrogateGradient(Adaptive: true) { MinWidth = -1 }.Validate(), e => e.StartsWith("surrogate.minWidth"));
        Assert.Empty(new SurrogateGradient(Adaptive: true).Validate());
    }
}
