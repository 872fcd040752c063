using StableSnn.Trainer.Models;
using StableSnn.Trainer.Spiking;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Tests.Training;

/// <summary>A linearly separable toy task on 1x8x8 images: class 0 is bright on the left half, class 1 on the right.</summary>
internal static class SyntheticTask
{
    public static (Tensor Images, Tensor Labels) Make(int count, int seed)
    {
        var gen = new Generator((ulong)seed);
        var labels = randint(0, 2, [count], generator: gen);
        var left = zeros(1, 1, 8, 8);
        left[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(0, 4)] = 0.8f;
        var right = left.flip(3);
        var isRight = labels.to_type(ScalarType.Float32).reshape(-1, 1, 1, 1);
        var images = (left * (1 - isRight) + right * isRight + rand(count, 1, 8, 8, generator: gen) * 0.2f).clamp(0, 1);
        return (images, labels);
    }

    public static SpikingNetwork Network(NeuronKind kind, int seed)
    {
        manual_seed(seed);
        return Architectures.Build("small-cnn", new InputShape(1, 8, 8), 2,
            new NeuronOptions(kind, TimeSteps: 4), [0.5f], [0.25f]);
    }
}
