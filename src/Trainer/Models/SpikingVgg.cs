using StableSnn.Trainer.Spiking;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Models;

/// <summary>VGG feature stack followed by the classifier Linear(flat, 4096)-spike-Linear(4096, 4096)-spike-Linear.</summary>
public static class SpikingVgg
{
    public static nn.Module<Tensor, Tensor> Body(int[] config, InputShape input, int classes, NeuronOptions neuron, int hidden = 4096)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        long channels = input.Channels, height = input.Height, width = input.Width;
        int i = 0;
        foreach (var entry in config)
        {
            if (entry == VggConfigs.Pool)
            {
                layers.Add(($"pool{i++}", nn.AvgPool2d(2)));
                height /= 2; width /= 2;
            }
            else
            {
                layers.Add(($"block{i++}", Layers.ConvBnSpike(channels, entry, neuron)));
                channels = entry;
            }
        }
        if (height < 1 || width < 1)
            throw new ArgumentException($"input {input} is too small for this VGG's {config.Count(c => c == VggConfigs.Pool)} pooling layers");
        layers.Add(("flatten", nn.Flatten()));
        layers.Add(("fc1", nn.Linear(channels * height * width, hidden)));
        layers.Add(("spike1", new SpikingNeuron(neuron)));
        layers.Add(("fc2", nn.Linear(hidden, hidden)));
        layers.Add(("spike2", new SpikingNeuron(neuron)));
        layers.Add(("fc3", nn.Linear(hidden, classes)));
        return nn.Sequential(layers);
    }
}
