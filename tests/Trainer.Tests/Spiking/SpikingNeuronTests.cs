using StableSnn.Trainer.Spiking;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Tests.Spiking;

public class SpikingNeuronTests
{
    /// <summary>Runs one neuron (batch 1) over the given per-step currents; returns its spike train.</summary>
    static float[] Spikes(NeuronOptions options, float[] currents, float[]? gains = null)
    {
        using var scope = NewDisposeScope();
        var neuron = new SpikingNeuron(options);
        if (gains is not null)
            using (no_grad()) neuron.Gains!.copy_(tensor(gains));
        var input = tensor(currents).reshape(currents.Length, 1); // [T*B, 1] with B = 1
        return neuron.forward(input).data<float>().ToArray();
    }

    [Fact]
    public void LifIntegratesLeaksFiresAndResetsToZero()
    {
        // tau 0.5, Vth 1: u = 1.2 fires -> 0; 0.2; 0.1+0.5 = 0.6; 0.3+0.9 = 1.2 fires -> 0; -0.3.
        var options = new NeuronOptions(NeuronKind.Lif, TimeSteps: 5, Tau: 0.5);
        Assert.Equal([1, 0, 0, 1, 0], Spikes(options, [1.2f, 0.2f, 0.5f, 0.9f, -0.3f]));
        // Constant 0.6: 0.6, 0.9, 1.05 fires -> 0, 0.6, 0.9.
        Assert.Equal([0, 0, 1, 0, 0], Spikes(options, [0.6f, 0.6f, 0.6f, 0.6f, 0.6f]));
    }

    [Fact]
    public void LifWithThePapersLeakFiresEveryOtherStepOnConstantInput()
    {
        // tau 0.99: 0.6, 0.594 + 0.6 = 1.194 fires -> 0, repeat.
        var options = new NeuronOptions(NeuronKind.Lif, TimeSteps: 4);
        Assert.Equal([0, 1, 0, 1], Spikes(options, [0.6f, 0.6f, 0.6f, 0.6f]));
    }

    [Fact]
    public void ReachingTheThresholdExactlyFires() =>
        Assert.Equal([1, 0], Spikes(new NeuronOptions(TimeSteps: 2), [1.0f, 0f]));

    [Fact]
    public void DlifScalesEachStepsCurrentByItsGain()
    {
        // gains [1, 2, 0.5, 1, 1], I = 0.6, tau 0.5: 0.6; 0.3 + 1.2 = 1.5 fires -> 0; 0.3; 0.15 + 0.6 = 0.75; 0.975.
        var options = new NeuronOptions(NeuronKind.Dlif, TimeSteps: 5, Tau: 0.5);
        Assert.Equal([0, 1, 0, 0, 0], Spikes(options, [0.6f, 0.6f, 0.6f, 0.6f, 0.6f], [1, 2, 0.5f, 1, 1]));
    }

    [Fact]
    public void DlifGainsStartAtOneAndLifHasNone()
    {
        using var dlif = new SpikingNeuron(new NeuronOptions(NeuronKind.Dlif, TimeSteps: 3));
        Assert.Equal([1f, 1f, 1f], dlif.Gains!.data<float>().ToArray());
        Assert.Single(dlif.parameters());
        using var lif = new SpikingNeuron(new NeuronOptions(NeuronKind.Lif, TimeSteps: 3));
        Assert.Null(lif.Gains);
        Assert.Empty(lif.parameters());
    }

    [Fact]
    public void TimeIsUnfoldedFromTheLeadingAxis()
    {
        // T = 2, B = 2: rows are [t0b0, t0b1, t1b0, t1b1]. Sample 0 gets 0.6 twice (no spike at tau 0.5: 0.6, 0.9),
        // sample 1 gets 1.0 then 0 (spike at t0 only).
        using var scope = NewDisposeScope();
        var neuron = new SpikingNeuron(new NeuronOptions(TimeSteps: 2, Tau: 0.5));
        var output = neuron.forward(tensor(new float[] { 0.6f, 1.0f, 0.6f, 0f }).reshape(4, 1));
        Assert.Equal([0f, 1f, 0f, 0f], output.data<float>().ToArray());
    }

    [Fact]
    public void RecordedInputIsTheCurrentBeforeTheGains()
    {
        using var scope = NewDisposeScope();
        var neuron = new SpikingNeuron(new NeuronOptions(NeuronKind.Dlif, TimeSteps: 2)) { RecordInput = true };
        using (no_grad()) neuron.Gains!.copy_(tensor(new float[] { 3, 3 }));
        neuron.forward(tensor(new float[] { 0.1f, 0.2f }).reshape(2, 1));
        Assert.Equal(new long[] { 2, 1, 1 }, neuron.RecordedInput!.shape);
        Assert.Equal([0.1f, 0.2f], neuron.RecordedInput.data<float>().ToArray());
    }
}
