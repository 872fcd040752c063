using StableSnn.Contracts;
using StableSnn.Trainer.Spiking;

namespace StableSnn.Trainer.Models;

/// <summary>Builds a spiking network from an architecture name, input shape and class count.</summary>
public static class Architectures
{
    public static IReadOnlyList<string> Names => Vocabulary.Architectures;

    public static SpikingNetwork Build(string name, InputShape input, int classes, NeuronOptions neuron, float[] mean, float[] std)
    {
        var body = name switch
        {
            "small-cnn" => SmallCnn.Body(input, classes, neuron),
            "vgg5" => SpikingVgg.Body(VggConfigs.Vgg5, input, classes, neuron),
            "vgg11" => SpikingVgg.Body(VggConfigs.Vgg11, input, classes, neuron),
            "vgg13" => SpikingVgg.Body(VggConfigs.Vgg13, input, classes, neuron),
            "vgg16" => SpikingVgg.Body(VggConfigs.Vgg16, input, classes, neuron),
            "wrn16" => WideResNet16.Body(input, classes, neuron),
            _ => throw new ArgumentException($"unknown architecture '{name}'; known: {string.Join(", ", Names)}"),
        };
        Layers.Initialise(body);
        return new SpikingNetwork(name, body, neuron, mean, std);
    }

    /// <summary>SNN-RAT's orthogonality step size beta: 0.004 for WRN-16, 0.001 for the VGGs and small networks.</summary>
    public static double RatBeta(string name) => name == "wrn16" ? 0.004 : 0.001;
}
