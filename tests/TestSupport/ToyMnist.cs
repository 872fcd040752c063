using StableSnn.Contracts;

namespace StableSnn.TestSupport;

/// <summary>
/// A tiny dataset in the real MNIST idx format (28x28, two separable classes: bright left vs right half), written
/// to a temp folder, plus a fast spec that trains on it. Lets the whole trainer run in seconds.
/// </summary>
public sealed class ToyMnist : IDisposable
{
    readonly TempDirectory _dir = new();

    public ToyMnist(int train = 320, int test = 120)
    {
        Write("train", train, seed: 1);
        Write("t10k", test, seed: 2);
    }

    public string Root => _dir.Path;

    public ExperimentSpec Spec(string mode = "raw", int epochs = 2) => new()
    {
        Id = "toy", Dataset = "mnist", DataRoot = Root, Architecture = "small-cnn", Neuron = "dlif", Mode = mode,
        Alpha = 0.5, Epochs = epochs, BatchSize = 32, TimeSteps = 4, ValidationFraction = 0.25, AttackSuite = "none",
    };

    void Write(string prefix, int count, int seed)
    {
        var rng = new Random(seed);
        var labels = new byte[count];
        var pixels = new byte[count * 28 * 28];
        for (int i = 0; i < count; i++)
        {
            labels[i] = (byte)rng.Next(2);
            for (int r = 0; r < 28; r++)
                for (int c = 0; c < 28; c++)
                {
                    bool bright = labels[i] == 0 ? c < 14 : c >= 14;
                    pixels[i * 784 + r * 28 + c] = (byte)((bright ? 180 : 0) + rng.Next(60));
                }
        }
        SyntheticFiles.WriteGzip(_dir.File($"{prefix}-images-idx3-ubyte.gz"), SyntheticFiles.IdxImages(count, 28, 28, pixels));
        SyntheticFiles.WriteGzip(_dir.File($"{prefix}-labels-idx1-ubyte.gz"), SyntheticFiles.IdxLabels(labels));
    }

    public void Dispose() => _dir.Dispose();
}
