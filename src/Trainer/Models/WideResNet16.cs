using StableSnn.Trainer.Spiking;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Models;

/// <summary>WRN-16-4: conv3x3(16), three groups of two pre-activation blocks (64, 128/2, 256/2), BN-spike, global
/// average pool (= avgpool 8 on 32x32), linear.</summary>
public static class WideResNet16
{
    public static nn.Module<Tensor, Tensor> Body(InputShape input, int classes, NeuronOptions neuron, int widen = 4)
    {
        const int blocksPerGroup = 2; // (depth 16 - 4) / 6
        long[] widths = [16, 16 * widen, 32 * widen, 64 * widen];
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("stem", nn.Conv2d(input.Channels, widths[0], 3, padding: 1, bias: false)),
        };
        long channels = widths[0];
        for (int group = 0; group < 3; group++)
        {
            for (int b = 0; b < blocksPerGroup; b++)
            {
                long stride = group > 0 && b == 0 ? 2 : 1;
                layers.Add(($"group{group}_block{b}", new ConvexResidualBlock(channels, widths[group + 1], stride, neuron)));
                channels = widths[group + 1];
            }
        }
        layers.Add(("bn", nn.BatchNorm2d(channels)));
        layers.Add(("spike", new SpikingNeuron(neuron)));
        layers.Add(("pool", nn.AdaptiveAvgPool2d(1)));
        layers.Add(("flatten", nn.Flatten()));
        layers.Add(("fc", nn.Linear(channels, classes)));
        return nn.Sequential(layers);
    }
}
