namespace StableSnn.Trainer.Attacks;

/// <summary>
/// Tolerances of the masking checks, as accuracy fractions. Each tolerance is widened to at least one
/// example (1 / Examples), so tiny evaluation sets do not flag on a single flipped prediction; comparisons of two
/// attacks on the same images must also pass the exact McNemar test at <see cref="Significance"/>.
/// </summary>
public sealed record MaskingThresholds(
    double MonotoneTolerance = 0.015,
    double IterativeVsFgsmTolerance = 0.02,
    double ChanceMargin = 0.10,
    double TransferTolerance = 0.02,
    double ZeroGradientFraction = 0.05,
    double StrongerAttackTolerance = 0.02,
    double Significance = 0.05)
{
    public static MaskingThresholds Default { get; } = new();
}
