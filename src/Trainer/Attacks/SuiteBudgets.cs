using System.Globalization;
using StableSnn.Contracts;

namespace StableSnn.Trainer.Attacks;

/// <summary>Names the budget a suite's worst case is measured at, against AutoAttack's standard version.</summary>
public static class SuiteBudgets
{
    /// <summary>
    /// <c>autoattack</c> when the suite has untargeted APGD with at least 100 iterations, APGD-T with at least 9 target
    /// classes (or every other class, where there are fewer) of 100 iterations, and Square with at least 5,000 queries at
    /// p_init 0.8 on the unrescaled schedule; otherwise "reduced" with what it has, in words.
    /// </summary>
    public static SuiteBudget Describe(IEnumerable<AttackConfig> suite, int classes)
    {
        var attacks = suite.ToList();
        var apgd = attacks.Where(a => a.Kind == AttackKind.Apgd && a.Loss != AttackLoss.DlrTargeted).MaxBy(a => a.Steps);
        var apgdT = attacks.Where(a => a.Kind == AttackKind.Apgd && a.Loss == AttackLoss.DlrTargeted).MaxBy(a => Targets(a) * a.Steps);
        var square = attacks.Where(a => a.Kind == AttackKind.Square).MaxBy(a => a.Steps);
        var parts = new List<string>
        {
            apgd is null ? "no APGD" : $"APGD-{apgd.Loss} {apgd.Steps} it",
            apgdT is null ? "no APGD-T" : $"APGD-T {Targets(apgdT)}x{apgdT.Steps} it",
            square is null ? "no Square" : $"Square {square.Steps} q (p_init {square.PInit.ToString("0.##", CultureInfo.InvariantCulture)}" +
                                           $"{(square.RescaleSchedule ? ", schedule rescaled" : "")})",
        };
        var neededTargets = Math.Min(AttackSuites.StandardTargets, Math.Max(classes - 1, 1));
        var standard = apgd is { Steps: >= AttackSuites.StandardApgdSteps }
                       && apgdT is { Steps: >= AttackSuites.StandardApgdSteps } && Targets(apgdT) >= neededTargets
                       && square is { Steps: >= AttackSuites.StandardSquareQueries, RescaleSchedule: false }
                       && Math.Abs(square.PInit - AttackSuites.StandardPInit) < 1e-6;
        var description = string.Join(", ", parts);
        return standard
            ? new SuiteBudget(SuiteBudget.AutoAttack, false, description)
            : new SuiteBudget("reduced", true, $"{description}: below AutoAttack's standard budget, so the worst case is a looser upper bound");
    }

    static int Targets(AttackConfig a) => a.TargetClasses > 0 ? a.TargetClasses : AttackSuites.StandardTargets;
}
