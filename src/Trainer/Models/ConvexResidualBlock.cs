using StableSnn.Trainer.Spiking;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Models;

/// <summary>
/// Pre-activation basic block (BN-spike-conv3x3, twice) whose output is a learnable convex combination
/// w0 * shortcut + w1 * branch; <see cref="Training.SimplexProjection"/> keeps w on the simplex after every step.
/// The shortcut is a 1x1 convolution of the activated input when the shape changes, else the identity.
/// </summary>
public sealed class ConvexResidualBlock : nn.Module<Tensor, Tensor>
{
    readonly BatchNorm2d bn1;
    BatchNorm2d? bn2; // null once folded into conv1 (attack copies)
    readonly SpikingNeuron spike1, spike2;
    readonly Conv2d conv1, conv2;
    readonly Conv2d? shortcut;
    readonly Parameter mix;

    public ConvexResidualBlock(long inChannels, long outChannels, long stride, NeuronOptions neuron, string name = "block")
        : base(name)
    {
        bn1 = nn.BatchNorm2d(inChannels);
        spike1 = new SpikingNeuron(neuron);
        conv1 = nn.Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(outChannels);
        spike2 = new SpikingNeuron(neuron);
        conv2 = nn.Conv2d(outChannels, outChannels, 3, padding: 1, bias: false);
        if (stride != 1 || inChannels != outChannels)
            shortcut = nn.Conv2d(inChannels, outChannels, 1, stride: stride, bias: false);
        mix = nn.Parameter(tensor(new float[] { 0.5f, 0.5f }));
        RegisterComponents();
    }

    /// <summary>The convex weights (shortcut, branch).</summary>
    public Parameter Mix => mix;

    /// <summary>Folds bn2 into conv1 (adjacent: conv1 -> bn2 -> spike2); bn1 follows a spike, so it stays.</summary>
    internal void FoldBatchNorm()
    {
        if (bn2 is null) return;
        BatchNormFolding.FoldInto(conv1, bn2);
        _internal_submodules.Remove(nameof(bn2));
        bn2.Dispose();
        bn2 = null;
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var activated = spike1.forward(bn1.forward(input));
        var current = conv1.forward(activated);
        var branch = conv2.forward(spike2.forward(bn2 is null ? current : bn2.forward(current)));
        var identity = shortcut is null ? input : shortcut.forward(activated);
        return (mix[0] * identity + mix[1] * branch).MoveToOuterDisposeScope();
    }
}
