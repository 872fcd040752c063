namespace StableSnn.Contracts;

/// <summary>
/// Outcome of a suite on a fixed evaluation subset of <see cref="Examples"/> images.
/// Accuracies are fractions in [0,1]. A result is <see cref="Suspect"/> when any masking flag fired:
/// then its robust accuracies are upper bounds at best.
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
    public bool Suspect => Flags.Count > 0;
}
