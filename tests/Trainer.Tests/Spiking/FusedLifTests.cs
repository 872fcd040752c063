using StableSnn.Trainer.Spiking;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Tests.Spiking;

public class FusedLifTests
{
    /// <summary>dL/dI for L = sum of the spikes of one LIF neuron (tau 0.5, Vth 1, g 1) over the given currents.</summary>
    static float[] InputGradient(float[] currents)
    {
        using var scope = NewDisposeScope();
        var neuron = new SpikingNeuron(new NeuronOptions(NeuronKind.Lif, TimeSteps: currents.Length, Tau: 0.5));
        var input = tensor(currents).reshape(currents.Length, 1).requires_grad_();
        Assert.True(FusedLif.Supports(input));
        neuron.forward(input).sum().backward();
        return input.grad!.data<float>().ToArray();
    }

    [Fact]
    public void GradientFlowsBackThroughTheLeakWhenNoSpikeResets()
    {
        // u0 = 0.8 (no spike, sg 0.8), u1 = 0.4 + 0.9 = 1.3 (spike, sg 0.7).
        // gu1 = 0.7; gm0 = 0.5 * 0.7 = 0.35; gu0 = 0.8 + 0.35 * (1 - 0 - 0.8 * 0.8) = 0.926.
        var grad = InputGradient([0.8f, 0.9f]);
        Assert.Equal(0.926f, grad[0], 5);
        Assert.Equal(0.7f, grad[1], 5);
    }

    [Fact]
    public void GradientThroughTheResetGoesThroughTheSpike()
    {
        // u0 = 1.2 (spike, sg 0.8, reset to 0), u1 = 0.5 (sg 0.5).
        // gu1 = 0.5; gm0 = 0.25; gu0 = 0.8 + 0.25 * (1 - 1 - 1.2 * 0.8) = 0.56.
        var grad = InputGradient([1.2f, 0.5f]);
        Assert.Equal(0.56f, grad[0], 5);
        Assert.Equal(0.5f, grad[1], 5);
    }

    [Theory]
    [InlineData(NeuronKind.Lif, 1)]
    [InlineData(NeuronKind.Lif, 2)]
    [InlineData(NeuronKind.Dlif, 2)]
    public void MatchesTheStepByStepGraphOnManyNeurons(NeuronKind kind, int threads)
    {
        using var scope = NewDisposeScope();
        int before = get_num_threads();
        set_num_threads(threads);
        try
        {
            manual_seed(7);
            // N = 3 x 5 x 37 x 41 = 22,755 neurons: several kernel chunks and a tail shorter than a SIMD vector.
            var options = new NeuronOptions(kind, TimeSteps: 4);
            var current = (randn(4 * 3, 5, 37, 41) * 0.8 + 0.6).requires_grad_();
            var weights = randn(4 * 3, 5, 37, 41);

            var fused = new SpikingNeuron(options);
            var stepwise = new SpikingNeuron(options) { ForceStepwise = true };
            if (kind == NeuronKind.Dlif)
                using (no_grad())
                {
                    fused.Gains!.copy_(tensor(new[] { 1.1f, 0.9f, 1.3f, 0.7f }));
                    stepwise.Gains!.copy_(fused.Gains);
                }

            var fusedSpikes = fused.forward(current);
            (fusedSpikes * weights).sum().backward();
            var fusedGrad = current.grad!.clone();
            current.grad!.zero_();
            var stepSpikes = stepwise.forward(current);
            (stepSpikes * weights).sum().backward();

            Assert.True(fusedSpikes.sum().item<float>() > 1000, "the test input should make many neurons fire");
            Assert.Equal(0, (fusedSpikes - stepSpikes).abs().sum().item<float>());
            Assert.True(fusedGrad.allclose(current.grad!, rtol: 1e-4, atol: 1e-5), "input gradients differ");
            if (kind == NeuronKind.Dlif)
                Assert.True(fused.Gains!.grad!.allclose(stepwise.Gains!.grad!, rtol: 1e-4, atol: 1e-2), "gain gradients differ");
        }
        finally { set_num_threads(before); }
    }

    [Fact]
    public void WithoutGradientTheForwardKeepsNothingForBackward()
    {
        using var scope = NewDisposeScope();
        var neuron = new SpikingNeuron(new NeuronOptions(NeuronKind.Lif, TimeSteps: 2, Tau: 0.5));
        using var _ = no_grad();
        var spikes = neuron.forward(tensor(new[] { 1.2f, 0.2f, 0.5f, 0.9f }).reshape(4, 1));
        Assert.False(spikes.requires_grad);
        Assert.Equal([1f, 0f, 0f, 1f], spikes.data<float>().ToArray());
    }
}
