using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Tests.Attacks;

/// <summary>
/// Synthetic 4-class task on 1x8x8 images (class k brightens quadrant k, plus noise), made with a
/// fixed seed, and a TinyMlp trained on it by plain SGD. Built once per test collection.
/// </summary>
public sealed class AttackFixture : IDisposable
{
    public const int Classes = 4;

    public AttackFixture()
    {
        (TrainImages, TrainLabels) = MakeData(512, seed: 1);
        (Images, Labels) = MakeData(128, seed: 2);
        var mlp = new TinyMlp(Classes, seed: 3);
        Train(mlp, TrainImages, TrainLabels);
        mlp.eval();
        Model = mlp;
        Masked = new RoundingModel(mlp);
        Masked.eval();
        // A second, differently seeded model for transfer attacks.
        var other = new TinyMlp(Classes, seed: 4);
        Train(other, TrainImages, TrainLabels);
        other.eval();
        Source = other;
    }

    public Tensor TrainImages { get; }
    public Tensor TrainLabels { get; }
    /// <summary>Held-out evaluation images [128, 1, 8, 8] in [0,1] and labels [128].</summary>
    public Tensor Images { get; }
    public Tensor Labels { get; }
    public nn.Module<Tensor, Tensor> Model { get; }
    public nn.Module<Tensor, Tensor> Masked { get; }
    public nn.Module<Tensor, Tensor> Source { get; }

    public static (Tensor Images, Tensor Labels) MakeData(int n, long seed)
    {
        using var gen = new Generator((ulong)seed);
        var labels = randint(0, Classes, [n], dtype: ScalarType.Int64, generator: gen);
        var quadrant = zeros(Classes, 1, 8, 8);
        for (var k = 0; k < Classes; k++)
            quadrant[k, 0, TensorIndex.Slice(k / 2 * 4, k / 2 * 4 + 4), TensorIndex.Slice(k % 2 * 4, k % 2 * 4 + 4)] = 1f;
        var noise = rand([n, 1, 8, 8], generator: gen) * 0.3;
        var images = clamp(0.2 + 0.12 * quadrant.index_select(0, labels) + noise, 0.0, 1.0);
        return (images, labels);
    }

    /// <summary>Exact equality of shape and every element (TorchSharp's Tensor.equal is element-wise).</summary>
    public static bool Same(Tensor a, Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    public static double Accuracy(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return (model.call(images).argmax(1) == labels).to(ScalarType.Float64).mean().item<double>();
    }

    private static void Train(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels)
    {
        model.train();
        var optimizer = optim.SGD(model.parameters(), 0.05, momentum: 0.9);
        for (var step = 0; step < 60; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.call(images), labels);
            loss.backward();
            optimizer.step();
        }
        optimizer.zero_grad();
    }

    public void Dispose()
    {
        Model.Dispose();
        Source.Dispose();
    }
}
