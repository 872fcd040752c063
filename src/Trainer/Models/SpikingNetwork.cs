using StableSnn.Trainer.Spiking;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Models;

/// <summary>
/// A spiking classifier in [0,1] pixel space: normalises inside the model (so attacks see raw pixels), presents the
/// image unchanged at each of T steps (direct encoding, time folded into the batch), and averages the last layer's
/// logits over T.
/// </summary>
public sealed class SpikingNetwork : nn.Module<Tensor, Tensor>
{
    readonly Tensor mean;
    readonly Tensor std;
    readonly nn.Module<Tensor, Tensor>? stem;
    readonly nn.Module<Tensor, Tensor> body;
    readonly int _timeSteps;
    readonly SpikingNeuron[] _neurons;

    public SpikingNetwork(string name, nn.Module<Tensor, Tensor> body, NeuronOptions neuron, float[] channelMean, float[] channelStd)
        : this(name, null, body, neuron.TimeSteps, channelMean, channelStd)
    {
    }

    /// <param name="stem">Layers that see the same image at every time step (no state over time, eval mode only):
    /// they run once per image before the input is repeated over T. Only <see cref="BatchNormFolding"/> sets one.</param>
    internal SpikingNetwork(string name, nn.Module<Tensor, Tensor>? stem, nn.Module<Tensor, Tensor> body, int timeSteps,
        float[] channelMean, float[] channelStd)
        : base(name)
    {
        this.stem = stem;
        this.body = body;
        _timeSteps = timeSteps;
        mean = tensor(channelMean).reshape(1, -1, 1, 1);
        std = tensor(channelStd).reshape(1, -1, 1, 1);
        RegisterComponents(); // also registers mean/std as buffers, so they follow the model across devices
        _neurons = modules().OfType<SpikingNeuron>().ToArray();
        if (_neurons.Length == 0) throw new ArgumentException("a spiking network needs at least one spiking layer");
    }

    public int TimeSteps => _timeSteps;

    internal nn.Module<Tensor, Tensor> Body => body;

    internal float[] ChannelMean => mean.cpu().data<float>().ToArray();

    internal float[] ChannelStd => std.cpu().data<float>().ToArray();

    /// <summary>Spiking layers in forward order.</summary>
    public IReadOnlyList<SpikingNeuron> Neurons => _neurons;

    /// <summary>The layer whose input current the stability regulariser watches.</summary>
    public SpikingNeuron LastNeuron => _neurons[^1];

    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        long batch = images.shape[0];
        var normalised = (images - mean) / std;
        var input = stem is null ? normalised : stem.forward(normalised);
        var folded = input.unsqueeze(0).expand([_timeSteps, .. input.shape]).flatten(0, 1);
        var logits = body.forward(folded);
        var averaged = logits.unflatten(0, [_timeSteps, batch]).mean([0]);
        if (LastNeuron.RecordedInput is { } recorded) recorded.MoveToOuterDisposeScope();
        return averaged.MoveToOuterDisposeScope();
    }
}
