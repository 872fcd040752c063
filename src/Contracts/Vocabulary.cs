namespace StableSnn.Contracts;

/// <summary>
/// The names a spec may use, defined once: the trainer builds from them, the engine validates sweeps against them
/// before anything is queued. Architectures and attack suites have their own lists (<see cref="ArchitectureNames"/>,
/// <see cref="AttackSuiteNames"/>).
/// </summary>
public static class Vocabulary
{
    public static readonly IReadOnlyList<string> Datasets = ["fashion-mnist", "mnist", "cifar10", "cifar100"];
    public static readonly IReadOnlyList<string> Neurons = ["lif", "dlif"];
    public static readonly IReadOnlyList<string> Modes = ["raw", "gaussian", "at", "at-reg"];
    /// <summary>What a slot runs on; "any" is only a request (a sweep that does not mind).</summary>
    public static readonly IReadOnlyList<string> SlotKinds = ["any", "gpu", "cpu"];

    public const string AnySlot = "any";
    public const string GpuSlot = "gpu";
    public const string CpuSlot = "cpu";
}
