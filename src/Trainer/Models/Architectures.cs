using StableSnn.Contracts;
using StableSnn.Trainer.Spiking;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Models;

/// <summary>
/// Builds a spiking network from an architecture name (<see cref="ArchitectureNames"/>), input shape and class count. A
/// new architecture is a name there and a line here; a test fails when a name has no line.
/// </summary>
public static class Architectures
{
    static readonly Dictionary<string, Func<InputShape, int, NeuronOptions, nn.Module<Tensor, Tensor>>> Bodies = new(StringComparer.Ordinal)
    {
        [ArchitectureNames.SmallCnn] = SmallCnn.Body,
        [ArchitectureNames.Vgg5] = (input, classes, neuron) => SpikingVgg.Body(VggConfigs.Vgg5, input, classes, neuron),
        [ArchitectureNames.Vgg11] = (input, classes, neuron) => SpikingVgg.Body(VggConfigs.Vgg11, input, classes, neuron),
        [ArchitectureNames.Vgg13] = (input, classes, neuron) => SpikingVgg.Body(VggConfigs.Vgg13, input, classes, neuron),
        [ArchitectureNames.Vgg16] = (input, classes, neuron) => SpikingVgg.Body(VggConfigs.Vgg16, input, classes, neuron),
        [ArchitectureNames.Wrn16] = (input, classes, neuron) => WideResNet16.Body(input, classes, neuron),
    };

    /// <summary>The names this table builds.</summary>
    public static IReadOnlyCollection<string> Names => Bodies.Keys;

    public static SpikingNetwork Build(string name, InputShape input, int classes, NeuronOptions neuron, float[] mean, float[] std)
    {
        if (!Bodies.TryGetValue(name, out var build))
            throw new ArgumentException($"unknown architecture '{name}'; known: {string.Join(", ", ArchitectureNames.All)}");
        var body = build(input, classes, neuron);
        Layers.Initialise(body);
        return new SpikingNetwork(name, body, neuron, mean, std);
    }

    /// <summary>SNN-RAT's orthogonality step size beta: 0.004 for WRN-16, 0.001 for the VGGs and small networks.</summary>
    public static double RatBeta(string name) => name == ArchitectureNames.Wrn16 ? 0.004 : 0.001;
}
