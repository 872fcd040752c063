namespace StableSnn.Grains.Policy;

/// <summary>
/// The values the trainer accepts, mirrored here so a sweep is rejected at submission rather than after it has
/// been queued and every experiment fails with BadInput. Keep in step with src/Trainer (DatasetCatalog,
/// Architectures, ExperimentSpec, AttackPhase).
/// </summary>
public static class KnownValues
{
    public static readonly IReadOnlyList<string> Datasets = ["fashion-mnist", "mnist", "cifar10", "cifar100"];
    public static readonly IReadOnlyList<string> Architectures = ["small-cnn", "vgg5", "vgg11", "vgg13", "vgg16", "wrn16"];
    public static readonly IReadOnlyList<string> Neurons = ["lif", "dlif"];
    public static readonly IReadOnlyList<string> Modes = ["raw", "gaussian", "at", "at-reg"];
    public static readonly IReadOnlyList<string> AttackSuites = ["standard", "quick", "epsilon-curve", "standard+curve", "none"];
    public static readonly IReadOnlyList<string> SlotKinds = ["any", "gpu", "cpu"];

    /// <summary>A named suite, or a path to a suite file (the trainer loads anything ending in .json).</summary>
    public static bool IsAttackSuite(string? suite) =>
        suite is not null && (AttackSuites.Contains(suite, StringComparer.Ordinal)
                              || (suite.Length > ".json".Length && suite.EndsWith(".json", StringComparison.Ordinal)));
}
