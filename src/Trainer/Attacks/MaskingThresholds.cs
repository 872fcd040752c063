namespace StableSnn.Trainer.Attacks;

/// <summary>
/// Settings of the checks. Comparisons of two attacks on the same images are exact McNemar tests at
/// <see cref="Significance"/>; the others compare one number with a bound.
/// </summary>
/// <param name="Significance">Two-sided level of every paired test (the check also needs the difference in its direction).</param>
/// <param name="ChanceMargin">How far above chance the eps-1 sanity attack may leave accuracy (fraction).</param>
/// <param name="ZeroGradientFraction">Share of images with an exactly zero input gradient (training surrogate) tolerated.</param>
/// <param name="OverstateMargin">
/// The paper's attacks are reported to overstate the worst case when the lower end of the 95% interval of the
/// difference exceeds this (a fraction: 0.01 is one point), so that one or two images do not make a finding.
/// </param>
public sealed record MaskingThresholds(
    double Significance = 0.05,
    double ChanceMargin = 0.10,
    double ZeroGradientFraction = 0.05,
    double OverstateMargin = 0.01)
{
    public static MaskingThresholds Default { get; } = new();
}
