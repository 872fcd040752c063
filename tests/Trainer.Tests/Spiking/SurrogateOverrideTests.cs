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
        // Ten neurons, T = 1, all with |v| = |I - 1| > g = 1: |v| = 1.5 2 2.5 3 3.5 1.5 2 2.5 3 4. The triangle gives 0.
        float[] currents = [-0.5f, -1f, -1.5f, -2f, -2.5f, 2.5f, 3f, 3.5f, 4f, 5f];
        Assert.All(InputGradient(currents, new(SurrogateShape.Triangle), neurons: 10), g => Assert.Equal(0f, g));
        // q = 0.9: the ceil(9)-th smallest |v| is 3.5, so g' = max(1, 2 * 3.5) = 7 and sg = (7 - |v|) / 49:
        // I = -0.5 -> 5.5/49 = 0.112245; I = 5 -> 3/49 = 0.0612245.
        var grad = InputGradient(currents, new(SurrogateShape.Triangle, Adaptive: true, Quantile: 0.9), neurons: 10);
        Assert.Equal(0.112245, grad[0], 1e-5);
        Assert.Equal(0.0612245, grad[9], 1e-7);
        Assert.All(grad, g => Assert.True(g > 0));
    }

    [Fact]
    public void AdaptiveWidthNeverShrinksBelowTheNeuronsOwn()
    {
        // |v| = 0, 0.2, 0.1: 2 * (3rd smallest = 0.2) = 0.4 < g = 1, so the plain triangle: 1, 0.8, 0.9.
        var grad = InputGradient([1f, 1.2f, 0.9f], new(SurrogateShape.Triangle, Adaptive: true), neurons: 3);
        Assert.Equal([1.0, 0.8, 0.9], grad.Select(g => Math.Round(g, 5)));
    }

    [Fact]
    public void AdaptiveGivesGradientWhereTheTriangleGivesExactlyZero()
    {
        using var scope = NewDisposeScope();
        // Linear -> LIF (T = 2) -> linear on time-folded inputs; the first layer drives every membrane to -2 or below,
        // or to 4 and above (which fires and resets, then 4 again): all farther than g = 1 from threshold.
        var net = nn.Sequential(("in", nn.Linear(4, 6)), ("spike", new SpikingNeuron(new NeuronOptions(TimeSteps: 2))), ("out", nn.Linear(6, 3)));
        using (no_grad())
        {
            var first = (TorchSharp.Modules.Linear)net.children().First();
            first.weight!.copy_(tensor(new float[] { 2, 0, 0, 0, -2, 0, 0, 0, 0, 2, 0, 0, 0, -2, 0, 0, 0, 0, 2, 0, 0, 0, 0, -2 }).reshape(6, 4));
            first.bias!.copy_(tensor(new float[] { 2, -1, 2, -1, 2, -1 }));
        }
        var x = tensor(new float[] { 1.2f, 1.5f, 1.1f, 1.9f, 1.3f, 1.0f, 1.4f, 1.6f, 1.2f, 1.5f, 1.1f, 1.9f, 1.3f, 1.0f, 1.4f, 1.6f }).reshape(4, 4);
        Tensor Grad(SurrogateGradient g)
        {
            var xg = x.clone().requires_grad_();
            using (SurrogateOverride.Use(g)) net.call(xg).sum().backward();
            return xg.grad!.clone();
        }
        Assert.Equal(0f, Grad(new SurrogateGradient(SurrogateShape.Triangle)).abs().max().item<float>());
        Assert.True(Grad(new SurrogateGradient(SurrogateShape.Triangle, Adaptive: true, Quantile: 0.9)).abs().min().item<float>() > 1e-4f,
            "every input should get gradient");
        // The default q = 0.25 widens just enough for the nearest quarter of neuron-steps: some gradient, not all.
        Assert.True(Grad(new SurrogateGradient(SurrogateShape.Triangle, Adaptive: true)).abs().max().item<float>() > 1e-4f);
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
    [InlineData(null)]
    [InlineData(3.0)]
    public void TheFusedKernelAppliesTheAdaptiveTriangleAsTheStepwiseGraphDoes(double? width)
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
            var input = current.clone().requires_grad_();
            using (SurrogateOverride.Use(new SurrogateGradient(SurrogateShape.Triangle, width, Adaptive: true)))
                (neuron.forward(input) * weights).sum().backward();
            return input.grad!.clone();
        }
        var a = Grad(fused);
        var b = Grad(stepwise);
        Assert.True(a.allclose(b, rtol: 1e-4, atol: 1e-5), "fused and stepwise adaptive gradients differ");
        Assert.True((a != 0).to(ScalarType.Float32).mean().ToDouble() > 0.5, "the adaptive width should reach most neuron-steps");
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
        Assert.Throws<ArgumentOutOfRangeException>(() => new SurrogateGradient(Quantile: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SurrogateGradient(Quantile: 1.5));
    }
}
