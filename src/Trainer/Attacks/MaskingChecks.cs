using StableSnn.Contracts;
using System.Globalization;

namespace StableSnn.Trainer.Attacks;

/// <summary>
/// Sanity checks for gradient masking, after Athalye, Carlini and Wagner (2018) and Carlini et al.
/// (2019, "On evaluating adversarial robustness"): when these fail, white-box numbers overstate robustness.
/// </summary>
public static class MaskingChecks
{
    public const string AccuracyRisesWithEpsilon = "accuracy-rises-with-epsilon";
    public const string IterativeWeakerThanFgsm = "iterative-weaker-than-fgsm";
    public const string LargeEpsilonNotChance = "large-epsilon-not-chance";
    public const string TransferBeatsWhiteBox = "transfer-beats-whitebox";

    private const float EpsilonMatch = 1e-6f;

    public static IReadOnlyList<MaskingFlag> Evaluate(SuiteResult result, MaskingThresholds? thresholds = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var t = thresholds ?? MaskingThresholds.Default;
        var oneExample = result.Examples > 0 ? 1.0 / result.Examples : 0.0;
        var flags = new List<MaskingFlag>();
        CheckMonotone(result, Math.Max(t.MonotoneTolerance, oneExample), flags);
        CheckIterativeVsFgsm(result, Math.Max(t.IterativeVsFgsmTolerance, oneExample), flags);
        CheckChance(result, t.ChanceMargin, flags);
        CheckTransfer(result, Math.Max(t.TransferTolerance, oneExample), flags);
        return flags;
    }

    private static bool IsWhiteBox(AttackKind k) => k is AttackKind.Fgsm or AttackKind.Pgd or AttackKind.Apgd or AttackKind.RFgsm;

    // A stronger budget can always reproduce a weaker one, so accuracy must not rise with eps
    // among attacks of the same kind, step count and loss.
    private static void CheckMonotone(SuiteResult r, double tol, List<MaskingFlag> flags)
    {
        var groups = r.Attacks.Where(a => IsWhiteBox(a.Attack.Kind))
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

    // An iterative attack starting from (or near) the FGSM point should never do worse than FGSM.
    private static void CheckIterativeVsFgsm(SuiteResult r, double tol, List<MaskingFlag> flags)
    {
        var fgsm = r.Attacks.Where(a => a.Attack.Kind == AttackKind.Fgsm).ToList();
        foreach (var it in r.Attacks.Where(a => a.Attack.Kind is AttackKind.Pgd or AttackKind.Apgd && !a.Sanity))
        {
            var reference = fgsm.Where(f => Math.Abs(f.Attack.Epsilon - it.Attack.Epsilon) <= EpsilonMatch)
                .OrderBy(f => f.Accuracy).FirstOrDefault();
            if (reference is not null && it.Accuracy > reference.Accuracy + tol)
                flags.Add(new(IterativeWeakerThanFgsm,
                    $"{it.Attack.Name} leaves {Pct(it.Accuracy)} accuracy, more than single-step {reference.Attack.Name} " +
                    $"({Pct(reference.Accuracy)}) at eps {In255(it.Attack.Epsilon)}/255."));
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
        foreach (var tr in r.Attacks.Where(a => a.Attack.Kind == AttackKind.Transfer))
        {
            var strongest = r.Attacks.Where(a => IsWhiteBox(a.Attack.Kind) && !a.Sanity &&
                                                 Math.Abs(a.Attack.Epsilon - tr.Attack.Epsilon) <= EpsilonMatch)
                .OrderBy(a => a.Accuracy).FirstOrDefault();
            if (strongest is not null && tr.Accuracy < strongest.Accuracy - tol)
                flags.Add(new(TransferBeatsWhiteBox,
                    $"Transfer attack {tr.Attack.Name} leaves {Pct(tr.Accuracy)} accuracy, less than the strongest white-box " +
                    $"attack {strongest.Attack.Name} ({Pct(strongest.Accuracy)}) at eps {In255(tr.Attack.Epsilon)}/255."));
        }
    }

    private static string Pct(double fraction) => (fraction * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
    private static string In255(float eps) => (eps * 255f).ToString("0.##", CultureInfo.InvariantCulture);
}
