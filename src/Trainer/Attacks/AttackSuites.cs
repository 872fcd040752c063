using StableSnn.Contracts;
namespace StableSnn.Trainer.Attacks;

/// <summary>Attack suites of the paper's table (section 5). The clean baseline is always measured by the evaluator.</summary>
public static class AttackSuites
{
    private const float Eps8 = 8f / 255f;

    public static AttackConfig Fgsm8 => new("FGSM-8", AttackKind.Fgsm, Eps8, Steps: 1, StepSize: Eps8);
    public static AttackConfig Pgd7 => Pgd("PGD-7", 7, 2.55f);
    public static AttackConfig Pgd10 => Pgd("PGD-10", 10, 2f);
    public static AttackConfig Pgd20 => Pgd("PGD-20", 20, 1f);
    public static AttackConfig Pgd40 => Pgd("PGD-40", 40, 0.5f);
    public static AttackConfig ApgdCe => new("APGD-CE", AttackKind.Apgd, Eps8, Steps: 10, Loss: AttackLoss.CE, RandomStart: true);
    public static AttackConfig ApgdDlr => new("APGD-DLR", AttackKind.Apgd, Eps8, Steps: 10, Loss: AttackLoss.DLR, RandomStart: true);
    public static AttackConfig RFgsm8 => new("R-FGSM-8", AttackKind.RFgsm, Eps8, Steps: 1, StepSize: Eps8 / 2f, RandomStart: true);
    // Same sigma as Gaussian training (section 3): shows whether noise robustness was learned.
    public static AttackConfig Gaussian8 => new("Gaussian-8", AttackKind.Gaussian, Eps8, Steps: 0, Sigma: Eps8);

    /// <summary>Every white-box attack of the table at eps 8/255, plus Gaussian noise. APGD-DLR needs >= 3 classes.</summary>
    public static IReadOnlyList<AttackConfig> Standard =>
        [Fgsm8, Pgd7, Pgd10, Pgd20, Pgd40, ApgdCe, ApgdDlr, RFgsm8, Gaussian8];

    /// <summary>
    /// The SNN-adaptive backward: an arctan (no zero support) whose width is fitted per element from the membranes the
    /// attack itself meets (ASSG-like; see <see cref="SurrogateGradient"/>). Forward spikes unchanged.
    /// </summary>
    public static SurrogateGradient Adaptive => new(SurrogateShape.Arctan, Adaptive: true);

    /// <summary>AutoAttack's standard budget: APGD 100 iterations, APGD-T 9 target classes, Square 5,000 queries.</summary>
    public const int StandardApgdSteps = 100, StandardTargets = Apgd.StandardTargets, StandardSquareQueries = 5000;
    public const float StandardPInit = 0.8f;

    /// <summary>APGD-CE through the adaptive backward, only on images the attacks before it left robust.</summary>
    public static AttackConfig ApgdCeAdaptive(int steps = StandardApgdSteps) =>
        ApgdCe with { Name = "APGD-CE-adaptive", Steps = steps, Surrogate = Adaptive, Cascade = true };

    /// <summary>APGD-T (targeted DLR, one run per target class down the clean ranking) through the adaptive backward, in the cascade.</summary>
    public static AttackConfig ApgdTAdaptive(int steps = StandardApgdSteps, int targets = StandardTargets) =>
        new("APGD-T-adaptive", AttackKind.Apgd, Eps8, Steps: steps, Loss: AttackLoss.DlrTargeted, RandomStart: true)
        {
            TargetClasses = targets, Surrogate = Adaptive, Cascade = true,
        };

    /// <summary>
    /// Square Attack on every image (not in the cascade: the masking check compares it with the gradient attacks on
    /// the same images). Its default is AutoAttack's: 5,000 queries, p_init 0.8, the schedule not rescaled.
    /// </summary>
    public static AttackConfig Square8(int queries = StandardSquareQueries, float pInit = StandardPInit, bool rescale = false) =>
        new("Square-8", AttackKind.Square, Eps8, Steps: queries, PInit: pInit) { RescaleSchedule = rescale };

    /// <summary>
    /// The default for final results. The paper's FGSM and PGD (comparable with its tables) on every image, then
    /// AutoAttack's standard version for spiking networks: APGD-CE and APGD-T through the adaptive backward in a
    /// cascade (each only on the images still robust), and Square-5000 on every image. The headline is the per-example
    /// worst case over all of them, at AutoAttack's standard budget.
    /// </summary>
    public static IReadOnlyList<AttackConfig> Reliable => [Fgsm8, Pgd7, Pgd20, ApgdCeAdaptive(), ApgdTAdaptive(), Square8()];

    /// <summary>
    /// The same attacks at a budget a CPU sweep of many small models can afford (APGD 20 iterations, APGD-T 3 targets,
    /// Square 1,000 queries with the schedule rescaled): its worst case is named below the standard budget.
    /// </summary>
    public static IReadOnlyList<AttackConfig> ReliableFast =>
        [Fgsm8, Pgd7, Pgd20, ApgdCeAdaptive(20), ApgdTAdaptive(20, 3), Square8(1000, rescale: true)];

    /// <summary>The cheaper subset for CPU runs.</summary>
    public static IReadOnlyList<AttackConfig> Quick => [Fgsm8, Pgd7, Pgd20, ApgdCe, ApgdDlr];

    /// <summary>PGD robustness curve: 10 steps of eps/4 with random start, one entry per eps (in /255).</summary>
    public static IReadOnlyList<AttackConfig> EpsilonCurve(int[]? epsIn255 = null)
    {
        epsIn255 ??= [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
        return epsIn255.Select(e => new AttackConfig($"PGD-10-eps{e}", AttackKind.Pgd, e / 255f,
            Steps: 10, StepSize: e / 255f / 4f, RandomStart: true)).ToArray();
    }

    /// <summary>Black-box transfer at eps 8/255: PGD-10 crafted on the checkpoint named <paramref name="sourceCheckpoint"/>.</summary>
    public static AttackConfig TransferPgd10(string sourceCheckpoint) =>
        Pgd10 with { Name = "Transfer-PGD-10", Kind = AttackKind.Transfer, InnerKind = AttackKind.Pgd, SourceCheckpoint = sourceCheckpoint };

    private static AttackConfig Pgd(string name, int steps, float stepIn255) =>
        new(name, AttackKind.Pgd, Eps8, Steps: steps, StepSize: stepIn255 / 255f, RandomStart: true);
}
