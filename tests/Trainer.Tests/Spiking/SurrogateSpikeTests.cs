using StableSnn.Trainer.Spiking;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Tests.Spiking;

public class SurrogateSpikeTests
{
    static float[] Gradient(float[] excess, double width)
    {
        using var scope = NewDisposeScope();
        var v = tensor(excess).requires_grad_();
        SurrogateSpike.Fire(v, width).sum().backward();
        return v.grad!.data<float>().ToArray();
    }

    [Fact]
    public void ForwardIsTheHeavisideStepWithHOfZeroEqualToOne()
    {
        using var scope = NewDisposeScope();
        var s = SurrogateSpike.Fire(tensor(new float[] { -0.5f, 0f, 0.3f, -1e-6f }), 1.0);
        Assert.Equal([0f, 1f, 1f, 0f], s.data<float>().ToArray());
    }

    [Fact]
    public void BackwardIsTheTriangleWithWidthOne() =>
        // (1/g^2) max(0, g - |v|), g = 1
        Assert.Equal([1f, 0.5f, 0.75f, 0f, 0f, 0.5f], Gradient([0f, 0.5f, -0.25f, 1f, 2f, -0.5f], 1.0));

    [Fact]
    public void BackwardScalesWithTheWidth() =>
        // g = 2: (2 - |v|) / 4
        Assert.Equal([0.5f, 0.25f, 0f], Gradient([0f, 1f, -2f], 2.0));

    [Fact]
    public void GradientReachesTheInputCurrentAndTheDlifGain()
    {
        using var scope = NewDisposeScope();
        // T = 1: s = H(p I - 1). With I = 0.8, p = 1: ds/dI = p * sg(-0.2) = 0.8 and ds/dp = I * sg(-0.2) = 0.64.
        var neuron = new SpikingNeuron(new NeuronOptions(NeuronKind.Dlif, TimeSteps: 1));
        var current = tensor(new float[] { 0.8f }).reshape(1, 1).requires_grad_();
        neuron.forward(current).sum().backward();
        Assert.Equal(0.8f, current.grad!.item<float>(), 5);
        Assert.Equal(0.64f, neuron.Gains!.grad!.item<float>(), 5);
    }
}
