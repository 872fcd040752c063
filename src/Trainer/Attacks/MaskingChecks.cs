using System.Globalization;
using StableSnn.Contracts;

namespace StableSnn.Trainer.Attacks;

/// <summary>
/// Sanity checks for gradient masking, after Athalye, Carlini and Wagner (2018) and Carlini et al. (2019, "On
/// evaluating adversarial robustness"): when these fire, white-box gradient numbers overstate robustness. Each flag
/// names the numbers that tripped it. Comparisons of two attacks on the same images use the exact McNemar test on
/// their per-example results where those are known, so one flipped image does not fire a check.
/// </summary>
public static class MaskingChecks
{
    public const string AccuracyRisesWithEpsilon = "accuracy-rises-with-epsilon";
    public const string IterativeWeakerThanFgsm = "iterative-weaker-than-fgsm";
    public const string IterativeAtClean = "iterative-at-clean";
    public const string LargeEpsilonNotChance = "large-epsilon-not-chance";
    public const string TransferBeatsWhiteBox = "transfer-beats-whitebox";
    public const string ZeroInputGradient = "zero-input-gradient";
    public const string StrongerAttackFound = "stronger-attack-found";

    private const float EpsilonMatch = 1e-6f;

    public static IReadOnlyList<MaskingFlag> Evaluate(SuiteResult result, MaskingThresholds? thresholds = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var t = thresholds ?? MaskingThresholds.Default;
        var oneExample = result.Examples > 0 ? 1.0 / result.Examples : 0.0;
        var flags = new List<MaskingFlag>();
        CheckMonotone(result, Math.Max(t.MonotoneTolerance, oneExample), flags);
        CheckIterativeAtClean(result, flags);
        CheckIterativeVsFgsm(result, Math.Max(t.IterativeVsFgsmTolerance, oneExample), t.Significance, flags);
        CheckChance(result, t.ChanceMargin, flags);
        CheckTransfer(result, Math.Max(t.TransferTolerance, oneExample), flags);
        CheckZeroGradient(result, t.ZeroGradientFraction, flags);
        CheckStrongerAttack(result, Math.Max(t.StrongerAttackTolerance, oneExample), t.Significance, flags);
        return flags;
    }

    /// <summary>
    /// The attacks whose numbers the flags put in doubt: every standard gradient attack (training surrogate) at an
    /// epsilon where masking showed, or all of them when the check is not tied to an epsilon.
    /// </summary>
    public static IReadOnlyList<string> Unreliable(SuiteResult result, IReadOnlyList<MaskingFlag> flags)
    {
        if (flags.Count == 0) return [];
        var doubted = flags.Select(f => f.Epsilon).ToList();
        return result.Attacks
            .Where(a => IsStandardGradient(a) && doubted.Any(e => e is null || Math.Abs(e.Value - a.Attack.Epsilon) <= EpsilonMatch))
            .Select(a => a.Attack.Name).Distinct().ToList();
    }

    /// <summary>A white-box attack through the training surrogate: what masking fools.</summary>
    public static bool IsStandardGradient(AttackResult a) =>
        !a.Sanity && IsWhiteBox(a.Attack.Kind) && a.Attack.Surrogate is null;

    private static bool IsWhiteBox(AttackKind k) => k is AttackKind.Fgsm or AttackKind.Pgd or AttackKind.Apgd or AttackKind.RFgsm;

    // A stronger budget can always reproduce a weaker one, so accuracy must not rise with eps
    // among attacks of the same kind, step count and loss.
    private static void CheckMonotone(SuiteResult r, double tol, List<MaskingFlag> flags)
    {
        var groups = r.Attacks.Where(a => IsWhiteBox(a.Attack.Kind) && !a.Sanity && !a.Attack.Cascade)
            .GroupBy(a => (a.Attack.Kind, a.Attack.Steps, a.Attack.Loss));
        foreach (var group in groups)
        {
            var sorted = group.OrderBy(a => a.Attack.Epsilon).ToList();
            for (var j = 1; j < sorted.Count; j++)
            {
                var weaker = sorted.Take(j).Where(a => a.Attack.Epsilon < sorted[j].Attack.Epsilon - EpsilonMatch)
                    .OrderBy(a => a.Accuracy).FirstOrDefault();
                if (weaker is not null && sorted[j].Accuracy > weaker.Accuracy + tol)
                    flags.Add(new(AccuracyRisesWithEpsilon,
                        $"{sorted[j].Attack.Name} (eps {In255(sorted[j].Attack.Epsilon)}/255) leaves {Pct(sorted[j].Accuracy)} accuracy, " +
                        $"more than {weaker.Attack.Name} at the smaller eps {In255(weaker.Attack.Epsilon)}/255 ({Pct(weaker.Accuracy)})."));
            }
        }
    }

    // An iterative attack that changes nothing (or even "repairs" images) is not attacking.
    private static void CheckIterativeAtClean(SuiteResult r, List<MaskingFlag> flags)
    {
        foreach (var it in r.Attacks.Where(a => a.Attack.Kind is AttackKind.Pgd or AttackKind.Apgd && !a.Sanity && !a.Attack.Cascade
                                                && a.Attack.Epsilon > 0 && a.Correct >= r.CleanCorrect && r.CleanCorrect > 0))
            flags.Add(new(IterativeAtClean,
                $"{it.Attack.Name} leaves {Pct(it.Accuracy)} accuracy ({it.Correct}/{it.Examples}), at or above clean accuracy " +
                $"{Pct(r.CleanAccuracy)} ({r.CleanCorrect}/{r.Examples}) on the same images at eps {In255(it.Attack.Epsilon)}/255.")
            { Epsilon = it.Attack.Epsilon });
    }

    // An iterative attack starting from (or near) the FGSM point should never do worse than FGSM.
    private static void CheckIterativeVsFgsm(SuiteResult r, double tol, double significance, List<MaskingFlag> flags)
    {
        var fgsm = r.Attacks.Where(a => a.Attack.Kind == AttackKind.Fgsm && !a.Attack.Cascade).ToList();
        foreach (var it in r.Attacks.Where(a => a.Attack.Kind is AttackKind.Pgd or AttackKind.Apgd && !a.Sanity && !a.Attack.Cascade))
        {
            var reference = fgsm.Where(f => Math.Abs(f.Attack.Epsilon - it.Attack.Epsilon) <= EpsilonMatch)
                .OrderBy(f => f.Accuracy).FirstOrDefault();
            if (reference is null || it.Accuracy <= reference.Accuracy + tol) continue;
            var test = "";
            if (Paired(r, it, reference) is var (b, c))
            {
                var p = Contracts.Accuracy.McNemarExact(b, c);
                if (p >= significance) continue; // within binomial noise on these images
                test = $" (paired on the same images: {b} robust to {it.Attack.Name} only, {c} to {reference.Attack.Name} only; McNemar p = {P(p)})";
            }
            flags.Add(new(IterativeWeakerThanFgsm,
                $"{it.Attack.Name} leaves {Pct(it.Accuracy)} accuracy, more than single-step {reference.Attack.Name} " +
                $"({Pct(reference.Accuracy)}) at eps {In255(it.Attack.Epsilon)}/255{test}.") { Epsilon = it.Attack.Epsilon });
        }
    }

    // With the whole pixel range allowed, a working gradient attack can turn any image into any class.
    private static void CheckChance(SuiteResult r, double margin, List<MaskingFlag> flags)
    {
        if (r.Classes <= 0)
            return;
        var bound = 1.0 / r.Classes + margin;
        foreach (var s in r.Attacks.Where(a => a.Sanity && a.Accuracy > bound))
            flags.Add(new(LargeEpsilonNotChance,
                $"{s.Attack.Name} (eps {s.Attack.Epsilon:0.###}) leaves {Pct(s.Accuracy)} accuracy; " +
                $"an unbounded attack should reach chance ({Pct(1.0 / r.Classes)}) + {Pct(margin)}."));
    }

    // Black-box attacks know less than white-box ones; if they do better, the white-box gradients are broken.
    private static void CheckTransfer(SuiteResult r, double tol, List<MaskingFlag> flags)
    {
        foreach (var tr in r.Attacks.Where(a => a.Attack.Kind == AttackKind.Transfer && !a.Attack.Cascade))
        {
            var strongest = r.Attacks.Where(a => IsWhiteBox(a.Attack.Kind) && !a.Sanity && !a.Attack.Cascade &&
                                                 Math.Abs(a.Attack.Epsilon - tr.Attack.Epsilon) <= EpsilonMatch)
                .OrderBy(a => a.Accuracy).FirstOrDefault();
            if (strongest is not null && tr.Accuracy < strongest.Accuracy - tol)
                flags.Add(new(TransferBeatsWhiteBox,
                    $"Transfer attack {tr.Attack.Name} leaves {Pct(tr.Accuracy)} accuracy, less than the strongest white-box " +
                    $"attack {strongest.Attack.Name} ({Pct(strongest.Accuracy)}) at eps {In255(tr.Attack.Epsilon)}/255.")
                { Epsilon = tr.Attack.Epsilon });
        }
    }

    // Spikes make the surrogate's gradient zero wherever no membrane sits near threshold: then PGD has nothing to follow.
    private static void CheckZeroGradient(SuiteResult r, double limit, List<MaskingFlag> flags)
    {
        if (r.ZeroGradientFraction > limit)
            flags.Add(new(ZeroInputGradient,
                $"{Pct(r.ZeroGradientFraction)} of the images have an input gradient of exactly zero through the training " +
                $"surrogate (limit {Pct(limit)}): gradient attacks cannot move them."));
    }

    // Images that every standard gradient attack left correct but another attack (gradient-free, transfer, or through
    // another surrogate) broke: if there are more than noise, the standard numbers are not the model's robustness.
    private static void CheckStrongerAttack(SuiteResult r, double tol, double significance, List<MaskingFlag> flags)
    {
        if (r.CleanMask is null) return;
        var clean = ExampleMask.Unpack(r.CleanMask, r.Examples);
        foreach (var group in r.Attacks.Where(a => RobustnessEvaluator.CountsForWorstCase(a) && a.Mask is not null)
                     .GroupBy(a => a.Attack.Epsilon))
        {
            var standard = group.Where(IsStandardGradient).ToList();
            var others = group.Where(a => !IsStandardGradient(a)).ToList();
            if (standard.Count == 0 || others.Count == 0) continue;
            var afterStandard = ExampleMask.AndAll(clean, standard.Select(a => ExampleMask.Unpack(a.Mask!, r.Examples)));
            var afterAll = ExampleMask.AndAll(afterStandard, others.Select(a => ExampleMask.Unpack(a.Mask!, r.Examples)));
            var (extra, _) = ExampleMask.Discordant(afterStandard, afterAll);
            var p = Contracts.Accuracy.McNemarExact(extra, 0);
            if (extra <= tol * r.Examples || p >= significance) continue;
            var best = standard.OrderBy(a => a.Accuracy).First();
            // In suite order, each attack is credited only with images no attack before it had broken (a cascade
            // attack's mask also marks the images it skipped as broken).
            var finders = new List<string>();
            var still = afterStandard;
            foreach (var a in others)
            {
                var mask = ExampleMask.Unpack(a.Mask!, r.Examples);
                var found = still.Where((robust, i) => robust && !mask[i]).Count();
                if (found > 0) finders.Add($"{a.Attack.Name} {found}");
                still = ExampleMask.And(still, mask);
            }
            flags.Add(new(StrongerAttackFound,
                $"at eps {In255(group.Key)}/255, {extra} of {r.Examples} images ({Pct((double)extra / r.Examples)}) survived every " +
                $"standard gradient attack (best: {best.Attack.Name}, {Pct(best.Accuracy)}) but not the others " +
                $"({string.Join(", ", finders)}); McNemar p = {P(p)}. The standard gradient numbers overstate robustness.")
            { Epsilon = group.Key });
        }
    }

    static (int, int)? Paired(SuiteResult r, AttackResult first, AttackResult second) =>
        first.Mask is null || second.Mask is null ? null
            : ExampleMask.Discordant(ExampleMask.Unpack(first.Mask, r.Examples), ExampleMask.Unpack(second.Mask, r.Examples));

    private static string Pct(double fraction) => (fraction * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
    private static string P(double p) => p.ToString(p < 0.001 ? "0.0e0" : "0.000", CultureInfo.InvariantCulture);
    private static string In255(float eps) => (eps * 255f).ToString("0.##", CultureInfo.InvariantCulture);
}
