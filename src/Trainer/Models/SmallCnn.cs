using StableSnn.Trainer.Spiking;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Models;

/// <summary>
/// The CPU-sized network for 1x28x28 inputs (Fashion-MNIST, MNIST): conv32-BN-spike, pool, conv64-BN-spike, pool,
/// linear. Same building blocks as the paper's VGGs, small enough to train an epoch in seconds to minutes.
/// </summary>
public static class SmallCnn
{
    public static nn.Module<Tensor, Tensor> Body(InputShape input, int classes, NeuronOptions neuron) =>
        nn.Sequential(
            ("block0", Layers.ConvBnSpike(input.Channels, 32, neuron)),
            ("pool0", nn.AvgPool2d(2)),
            ("block1", Layers.ConvBnSpike(32, 64, neuron)),
            ("pool1", nn.AvgPool2d(2)),
            ("flatten", nn.Flatten()),
            ("fc", nn.Linear(64L * (input.Height / 4) * (input.Width / 4), classes)));
}
