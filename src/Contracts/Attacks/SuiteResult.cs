namespace StableSnn.Contracts;

/// <summary>
/// Outcome of a suite on a fixed evaluation subset of <see cref="Examples"/> images: clean accuracy and every attack on
/// the same images. Accuracies are fractions in [0,1]. A result is <see cref="Suspect"/> when any masking flag fired:
/// then its robust accuracies are upper bounds at best, and <see cref="Unreliable"/> names the attacks to distrust.
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

    public bool Suspect => Flags.Count > 0;

    /// <summary>The headline: the worst case at the epsilon most attacks share (the smaller one on a tie).</summary>
    public WorstCase? Headline => WorstCases.OrderByDescending(w => w.Attacks.Count).ThenBy(w => w.Epsilon).FirstOrDefault();
}
