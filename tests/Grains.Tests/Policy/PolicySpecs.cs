using StableSnn.Grains.Model;

namespace StableSnn.Grains.Tests.Policy;

/// <summary>A spec every policy test starts from: valid, small (2 x 2 x 2 x 2 x 3 x 3 = 144 experiments).</summary>
internal static class PolicySpecs
{
    public static SweepSpec Valid() => new()
    {
        Name = "fmnist-rho-2",
        Datasets = ["fashion-mnist", "cifar10"],
        Architectures = ["small-cnn", "vgg5"],
        Neurons = ["lif", "dlif"],
        Modes = ["at", "at-reg"],
        Alphas = [0, 0.001, 0.01],
        Seeds = [1, 2, 3],
        Epochs = 20,
        Training = new TrainingSettings { BatchSize = 64, LearningRate = 1e-3, ValidationFraction = 0.1, TimeSteps = 8 },
        Resources = new ResourceRequest { SlotKind = "gpu" },
        MaxConcurrency = 4,
        MaxAttempts = 3,
    };
}
