using StableSnn.Trainer.Spiking;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Tests.Attacks;

/// <summary>
/// A one-hidden-layer spiking classifier over 1x8x8 images (T = 4, LIF, triangle surrogate of width 1). Its
/// <see cref="Rescaled"/> twin multiplies the hidden layer's input current and threshold by the same power of two:
/// the spikes, hence the logits, are bitwise the same function, but the membrane sits far from threshold in
/// absolute units, so the training surrogate's gradient vanishes. Gradient masking by construction.
/// </summary>
internal sealed class TinySnn : nn.Module<Tensor, Tensor>
{
    const int TimeSteps = 4;
    private readonly Linear fc1;
    private readonly SpikingNeuron lif;
    private readonly Linear fc2;

    public TinySnn(int classes, long seed, float scale = 1) : base(nameof(TinySnn))
    {
        fc1 = nn.Linear(64, 32);
        lif = new SpikingNeuron(new NeuronOptions(NeuronKind.Lif, TimeSteps, 0.99, scale, 1.0));
        fc2 = nn.Linear(32, classes);
        RegisterComponents();
        using var gen = new Generator((ulong)seed);
        using var noGrad = no_grad();
        foreach (var p in parameters())
            p.copy_(randn(p.shape, generator: gen) * 0.3);
    }

    public TinySnn Rescaled(float scale)
    {
        var twin = new TinySnn((int)fc2.weight!.shape[0], 0, scale);
        using var noGrad = no_grad();
        twin.fc1.weight!.copy_(fc1.weight! * scale);
        twin.fc1.bias!.copy_(fc1.bias! * scale);
        twin.fc2.weight!.copy_(fc2.weight!);
        twin.fc2.bias!.copy_(fc2.bias!);
        twin.eval();
        return twin;
    }

    public override Tensor forward(Tensor x)
    {
        var current = fc1.call(((x - 0.35) * 8).flatten(1));
        var batch = current.shape[0];
        var spikes = lif.call(current.unsqueeze(0).expand(TimeSteps, -1, -1).flatten(0, 1));
        return fc2.call(spikes).unflatten(0, [TimeSteps, batch]).mean([0]);
    }

    public static TinySnn Trained(Tensor images, Tensor labels, int classes, long seed)
    {
        var model = new TinySnn(classes, seed);
        model.train();
        var optimizer = optim.SGD(model.parameters(), 0.1, momentum: 0.9);
        for (var step = 0; step < 150; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            nn.functional.cross_entropy(model.call(images), labels).backward();
            optimizer.step();
        }
        model.eval();
        return model;
    }
}
