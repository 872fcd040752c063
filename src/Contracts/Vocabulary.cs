namespace StableSnn.Contracts;

/// <summary>
/// The names a spec may use, defined once: the trainer builds from them, the engine validates sweeps against them
/// before anything is queued.
/// </summary>
public static class Vocabulary
{
    public static readonly IReadOnlyList<string> Datasets = ["fashion-mnist", "mnist", "cifar10", "cifar100"];
    public static readonly IReadOnlyList<string> Architectures = ["small-cnn", "vgg5", "vgg11", "vgg13", "vgg16", "wrn16"];
    public static readonly IReadOnlyList<string> Neurons = ["lif", "dlif"];
    public static readonly IReadOnlyList<string> Modes = ["raw", "gaussian", "at", "at-reg"];
    public static readonly IReadOnlyList<string> AttackSuites = ["reliable", "reliable-fast", "standard", "quick", "epsilon-curve", "reliable+curve", "standard+curve", "none"];
    /// <summary>What a slot runs on; "any" is only a request (a sweep that does not mind).</summary>
    public static readonly IReadOnlyList<string> SlotKinds = ["any", "gpu", "cpu"];

    public const string AnySlot = "any";
    public const string GpuSlot = "gpu";
    public const string CpuSlot = "cpu";
    /// <summary>The suite final results use unless a spec says otherwise.</summary>
    public const string DefaultAttackSuite = "reliable";
    /// <summary>The suite that runs no attack.</summary>
    public const string NoAttacks = "none";

    /// <summary>A named suite, or a path to a JSON suite file (checked for existence where the trainer runs).</summary>
    public static bool IsAttackSuite(string? suite) =>
        suite is not null && (AttackSuites.Contains(suite, StringComparer.Ordinal)
                              || (suite.Length > ".json".Length && suite.EndsWith(".json", StringComparison.Ordinal)));
}
