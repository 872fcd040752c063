using StableSnn.Grains.Model;

namespace StableSnn.Grains.Tests.Results;

/// <summary>Completed experiments built by hand, so expected table values can be computed on paper.</summary>
internal static class ResultSamples
{
    public static CompletedExperiment Row(
        double alpha, int seed, double clean, AttackAccuracy[] attacks, string[]? flags = null,
        string dataset = "fashion-mnist", string architecture = "small-cnn", string neuron = "lif", string mode = "at")
    {
        var point = new GridPoint(dataset, architecture, neuron, mode, alpha, seed);
        return new CompletedExperiment(point.ExperimentKey("demo"), point, new ExperimentOutcome
        {
            CleanAccuracy = clean,
            Attacks = attacks,
            MaskingFlags = flags ?? [],
            Checkpoint = $"/ckpt/{seed}.pt",
            TrainSeconds = 1.5,
            TotalSeconds = 2.25,
        });
    }

    public static AttackAccuracy Attack(string name, double epsilon, double accuracy, bool sanity = false) =>
        new(name, epsilon, accuracy, 100, sanity);

    /// <summary>Two alphas x two seeds, FGSM and PGD plus a sanity attack; one experiment flagged.</summary>
    public static List<CompletedExperiment> Sweep() =>
    [
        Row(0.5, 1, 0.90, [Attack("fgsm", 0.1, 0.50), Attack("pgd", 0.1, 0.30), Attack("pgd-huge-eps", 8, 0.0, sanity: true)]),
        Row(0.5, 2, 0.80, [Attack("fgsm", 0.1, 0.70), Attack("pgd", 0.1, 0.40), Attack("pgd-huge-eps", 8, 0.0, sanity: true)],
            flags: ["transfer-beats-whitebox"]),
        Row(0, 1, 0.95, [Attack("fgsm", 0.1, 0.20), Attack("pgd", 0.1, 0.10), Attack("pgd-huge-eps", 8, 0.0, sanity: true)]),
        Row(0, 2, 0.93, [Attack("fgsm", 0.1, 0.25), Attack("pgd", 0.1, 0.15), Attack("pgd-huge-eps", 8, 0.0, sanity: true)]),
    ];
}
