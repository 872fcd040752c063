namespace StableSnn.Contracts;

/// <summary>
/// Outcome of a suite on a fixed evaluation subset of <see cref="Examples"/> images: clean accuracy and every attack on
/// the same images. Accuracies are fractions in [0,1]. A result is <see cref="Suspect"/> when a check doubts its headline
/// (gradient masking suspected): then its robust accuracies are upper bounds at best. <see cref="Unreliable"/> names
/// the attacks whose own numbers the checks distrust (for example the paper's FGSM/PGD when they overstate the worst
/// case), which can happen without doubting the headline.
/// </summary>
public sealed record SuiteResult(
    int Examples,
    int Classes,
    int BatchSize,
    int Seed,
    double CleanAccuracy,
    int CleanCorrect,
    double CleanSeconds,
    IReadOnlyList<AttackResult> Attacks,
    IReadOnlyList<MaskingFlag> Flags)
{
    /// <summary>Per-example clean correctness (<see cref="ExampleMask"/>).</summary>
    public string? CleanMask { get; init; }
    /// <summary>Per-example worst case at each epsilon the suite attacks at, smallest epsilon first.</summary>
    public IReadOnlyList<WorstCase> WorstCases { get; init; } = [];
    /// <summary>Share of images whose input gradient (through the training surrogate) is exactly zero.</summary>
    public double ZeroGradientFraction { get; init; }
    /// <summary>Attacks whose numbers the masking checks doubt: shown, but marked, wherever they are reported.</summary>
    public IReadOnlyList<string> Unreliable { get; init; } = [];

    /// <summary>The budget the cascade ran at; null in results written before budgets were recorded.</summary>
    public SuiteBudget? Budget { get; init; }

    public bool Suspect => Flags.Any(f => !f.Informative);

    /// <summary>The headline: the worst case at the epsilon most attacks share (the smaller one on a tie).</summary>
    public WorstCase? Headline => WorstCases.OrderByDescending(w => w.Attacks.Count).ThenBy(w => w.Epsilon).FirstOrDefault();
}
