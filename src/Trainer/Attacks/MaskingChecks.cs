using System.Globalization;
using StableSnn.Contracts;

namespace StableSnn.Trainer.Attacks;

/// <summary>
/// Checks of an evaluation, after Athalye, Carlini and Wagner (2018), Carlini et al. (2019, "On evaluating adversarial
/// robustness") and AutoAttack's check_square_sr. Two kinds of finding:
/// <list type="bullet">
/// <item>doubts about the headline (<see cref="MaskingFlag.Informative"/> false, the result becomes suspect): the
/// gradient-free attack beats every gradient attack together, adaptive ones included; an unbounded gradient attack
/// cannot reach chance; a transfer attack beats the white-box ones; an adaptive attack misbehaves;</item>
/// <item>informative findings about the paper's attacks (training surrogate): by how much they overstate the worst
/// case, and the signs of masking in them (they do not move the images, FGSM beats them, accuracy rises with eps,
/// the input gradient is zero). These mark the attacks they name unreliable but do not doubt the headline, which
/// already includes the attacks that found what they missed.</item>
/// </list>
/// Every comparison of two attacks is an exact McNemar test on the same images (counts of images robust to one only),
/// in the direction the check states, at <see cref="MaskingThresholds.Significance"/>. A cascade attack's mask is
/// cumulative (images it skipped count as broken), so it stands for "the suite's attacks up to it".
/// </summary>
public static class MaskingChecks
{
    public const string GradientMaskingSuspected = "gradient-masking-suspected";
    public const string SquareBeatsAttack = "square-beats-attack";
    public const string StandardOverstates = "standard-overstates";
    public const string AccuracyRisesWithEpsilon = "accuracy-rises-with-epsilon";
    public const string IterativeWeakerThanFgsm = "iterative-weaker-than-fgsm";
    public const string IterativeAtClean = "iterative-at-clean";
    public const string LargeEpsilonNotChance = "large-epsilon-not-chance";
    public const string TransferBeatsWhiteBox = "transfer-beats-whitebox";
    public const string ZeroInputGradient = "zero-input-gradient";

    private const float EpsilonMatch = 1e-6f;

    public static IReadOnlyList<MaskingFlag> Evaluate(SuiteResult result, MaskingThresholds? thresholds = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var t = thresholds ?? MaskingThresholds.Default;
        var r = new Masks(result);
        var flags = new List<MaskingFlag>();
        CheckGradientFree(r, t, flags);
        CheckStandardOverstates(r, t, flags);
        CheckIterativeAtClean(r, t, flags);
        CheckIterativeVsFgsm(r, t, flags);
        CheckMonotone(r, t, flags);
        CheckChance(result, t, flags);
        CheckTransfer(r, t, flags);
        CheckZeroGradient(result, t, flags);
        return flags;
    }

    /// <summary>The attacks the flags put in doubt, in suite order.</summary>
    public static IReadOnlyList<string> Unreliable(SuiteResult result, IReadOnlyList<MaskingFlag> flags)
    {
        var doubted = flags.SelectMany(f => f.Doubts).ToHashSet(StringComparer.Ordinal);
        return result.Attacks.Select(a => a.Attack.Name).Where(doubted.Contains).Distinct().ToList();
    }

    /// <summary>A white-box attack through the training surrogate: the paper's attacks, and what masking fools.</summary>
    public static bool IsStandardGradient(AttackResult a) => IsGradient(a) && a.Attack.Surrogate is null;

    /// <summary>A white-box gradient attack of any backward (not the sanity probe).</summary>
    public static bool IsGradient(AttackResult a) => !a.Sanity && IsWhiteBox(a.Attack.Kind);

    private static bool IsWhiteBox(AttackKind k) => k is AttackKind.Fgsm or AttackKind.Pgd or AttackKind.Apgd or AttackKind.RFgsm;

    // AutoAttack's check_square_sr, as a paired test: the gradient-free attack against every gradient attack together
    // (an image counts as broken by the gradient side if any gradient attack broke it), and against each one alone.
    private static void CheckGradientFree(Masks r, MaskingThresholds t, List<MaskingFlag> flags)
    {
        foreach (var square in r.Counted.Where(a => a.Attack.Kind == AttackKind.Square))
        {
            var eps = square.Attack.Epsilon;
            var gradient = r.Counted.Where(a => IsGradient(a) && Same(a.Attack.Epsilon, eps)).ToList();
            if (gradient.Count == 0) continue;
            var squareMask = r.AndClean(square);
            var allGradient = r.AndAll(gradient);
            var (onlySquare, onlyGradient) = ExampleMask.Discordant(allGradient, squareMask);
            var beaten = gradient.Select(g => (Attack: g, Counts: ExampleMask.Discordant(r.AndClean(g), squareMask)))
                .Where(x => Beyond(x.Counts, t)).ToList();
            if (square.Attack.Cascade)
            {
                // Square only saw the images the gradient attacks left: no paired comparison is possible, so this falls
                // back to AutoAttack's own rule (any decrease beyond 0.2% of the images).
                if (onlySquare > Math.Max(1, 0.002 * r.Examples))
                    flags.Add(new(GradientMaskingSuspected,
                        $"at eps {In255(eps)}/255, {square.Attack.Name} broke {onlySquare} of {r.Examples} images that every gradient attack left " +
                        $"robust (it ran in the cascade, so this is AutoAttack's count rule, not a paired test). The worst case is an upper bound.")
                    { Epsilon = eps, Doubts = [.. gradient.Select(g => g.Attack.Name)] });
                continue;
            }
            if (Beyond(onlySquare, onlyGradient, t))
            {
                flags.Add(new(GradientMaskingSuspected,
                    $"at eps {In255(eps)}/255 the gradient-free {square.Attack.Name} beats every gradient attack together, adaptive ones " +
                    $"included: {onlySquare} images broken by it only, {onlyGradient} by a gradient attack only (McNemar p = " +
                    $"{P(Accuracy.McNemarExact(onlySquare, onlyGradient))}). Gradients mislead here, so the worst case is an upper bound: " +
                    "a larger query budget or another attack may find more.")
                { Epsilon = eps, Doubts = [.. gradient.Select(g => g.Attack.Name)] });
            }
            else if (beaten.Count > 0)
            {
                var each = beaten.Select(x => $"{x.Attack.Attack.Name} ({x.Counts.Item1} images broken by {square.Attack.Name} only, " +
                                              $"{x.Counts.Item2} by {x.Attack.Attack.Name} only, p = {P(Accuracy.McNemarExact(x.Counts.Item1, x.Counts.Item2))})");
                flags.Add(new(SquareBeatsAttack,
                    $"at eps {In255(eps)}/255 {square.Attack.Name} beats {string.Join("; ", each)}: those numbers overstate robustness. " +
                    $"Against every gradient attack together it does not ({onlySquare} images by it only, {onlyGradient} by them only).")
                { Epsilon = eps, Informative = true, Doubts = [.. beaten.Select(x => x.Attack.Attack.Name)] });
            }
        }
    }

    // How many points the paper's attacks (training surrogate) overstate the worst case: the images robust to the best
    // of them but broken by some other attack, with a Wilson interval (the worst case is inside every attack's set, so
    // the discordance goes one way and its share is the paired difference).
    private static void CheckStandardOverstates(Masks r, MaskingThresholds t, List<MaskingFlag> flags)
    {
        foreach (var group in r.Counted.GroupBy(a => a.Attack.Epsilon))
        {
            var standard = group.Where(a => IsStandardGradient(a) && !a.Attack.Cascade).ToList();
            if (standard.Count == 0 || standard.Count == group.Count()) continue;
            var best = standard.OrderBy(a => a.Correct).First();
            var worst = r.AndAll(group);
            var (extra, _) = ExampleMask.Discordant(r.AndClean(best), worst);
            var interval = Accuracy.Wilson(extra, r.Examples);
            if (interval.Low <= t.OverstateMargin) continue;
            flags.Add(new(StandardOverstates,
                $"at eps {In255(group.Key)}/255 the paper's attacks overstate robustness: the best of them, {best.Attack.Name}, leaves " +
                $"{extra} of {r.Examples} images robust that another attack broke: {Pct(extra / (double)r.Examples)} " +
                $"[95% {Pct(interval.Low)}, {Pct(interval.High)}] above the worst case.")
            { Epsilon = group.Key, Informative = true, Doubts = [.. standard.Select(a => a.Attack.Name)] });
        }
    }

    // An iterative attack that does not lower accuracy beyond noise is not attacking (it may even repair images).
    private static void CheckIterativeAtClean(Masks r, MaskingThresholds t, List<MaskingFlag> flags)
    {
        foreach (var it in r.Counted.Where(a => a.Attack.Kind is AttackKind.Pgd or AttackKind.Apgd && !a.Attack.Cascade && a.Attack.Epsilon > 0))
        {
            var (broken, repaired) = ExampleMask.Discordant(r.Clean, r.Of(it));
            if (r.CleanCorrect == 0 || Beyond(broken, repaired, t)) continue;
            flags.Add(new(IterativeAtClean,
                $"{it.Attack.Name} at eps {In255(it.Attack.Epsilon)}/255 does not lower accuracy beyond noise: {Pct(it.Accuracy)} against " +
                $"clean {Pct(r.CleanCorrect / (double)r.Examples)} on the same images ({broken} images broken, {repaired} repaired; McNemar p = " +
                $"{P(Accuracy.McNemarExact(broken, repaired))}).")
            { Epsilon = it.Attack.Epsilon, Informative = IsStandardGradient(it), Doubts = [it.Attack.Name] });
        }
    }

    // An iterative attack starting from (or near) the FGSM point should never do worse than FGSM.
    private static void CheckIterativeVsFgsm(Masks r, MaskingThresholds t, List<MaskingFlag> flags)
    {
        var fgsm = r.Counted.Where(a => a.Attack.Kind == AttackKind.Fgsm && !a.Attack.Cascade).ToList();
        foreach (var it in r.Counted.Where(a => a.Attack.Kind is AttackKind.Pgd or AttackKind.Apgd && !a.Attack.Cascade))
        {
            foreach (var f in fgsm.Where(f => Same(f.Attack.Epsilon, it.Attack.Epsilon)))
            {
                var (onlyIterative, onlyFgsm) = ExampleMask.Discordant(r.Of(it), r.Of(f));
                if (!Beyond(onlyIterative, onlyFgsm, t)) continue;
                flags.Add(new(IterativeWeakerThanFgsm,
                    $"{it.Attack.Name} leaves {Pct(it.Accuracy)} accuracy, more than single-step {f.Attack.Name} ({Pct(f.Accuracy)}) at eps " +
                    $"{In255(it.Attack.Epsilon)}/255 ({onlyIterative} images robust to {it.Attack.Name} only, {onlyFgsm} to {f.Attack.Name} only; " +
                    $"McNemar p = {P(Accuracy.McNemarExact(onlyIterative, onlyFgsm))}).")
                { Epsilon = it.Attack.Epsilon, Informative = IsStandardGradient(it), Doubts = [it.Attack.Name] });
            }
        }
    }

    // A larger budget can always reproduce a smaller one, so among attacks alike in everything but eps (kind, steps,
    // step size relative to eps, loss, start, backward, restarts) accuracy must not rise with eps.
    private static void CheckMonotone(Masks r, MaskingThresholds t, List<MaskingFlag> flags)
    {
        var groups = r.Counted.Where(a => IsGradient(a) && !a.Attack.Cascade).GroupBy(a => Likeness(a.Attack));
        foreach (var group in groups)
        {
            var sorted = group.OrderBy(a => a.Attack.Epsilon).ToList();
            for (var j = 1; j < sorted.Count; j++)
            {
                foreach (var smaller in sorted.Take(j).Where(a => a.Attack.Epsilon < sorted[j].Attack.Epsilon - EpsilonMatch))
                {
                    var (onlyLarger, onlySmaller) = ExampleMask.Discordant(r.Of(sorted[j]), r.Of(smaller));
                    if (!Beyond(onlyLarger, onlySmaller, t)) continue;
                    flags.Add(new(AccuracyRisesWithEpsilon,
                        $"{sorted[j].Attack.Name} (eps {In255(sorted[j].Attack.Epsilon)}/255) leaves {Pct(sorted[j].Accuracy)} accuracy, more than " +
                        $"{smaller.Attack.Name} at the smaller eps {In255(smaller.Attack.Epsilon)}/255 ({Pct(smaller.Accuracy)}; {onlyLarger} images robust " +
                        $"at the larger eps only, {onlySmaller} at the smaller only, McNemar p = {P(Accuracy.McNemarExact(onlyLarger, onlySmaller))}).")
                    { Informative = IsStandardGradient(sorted[j]), Doubts = [smaller.Attack.Name, sorted[j].Attack.Name] });
                    break;
                }
            }
        }
    }

    static object Likeness(AttackConfig c) =>
        (c.Kind, c.Steps, c.Loss, c.RandomStart, c.Restarts, c.Surrogate, c.Step, c.TargetClasses,
         Ratio: c.Epsilon > 0 ? Math.Round(c.StepSize / c.Epsilon, 3) : 0);

    // With the whole pixel range allowed, a working gradient attack can turn any image into any class.
    private static void CheckChance(SuiteResult r, MaskingThresholds t, List<MaskingFlag> flags)
    {
        if (r.Classes <= 0) return;
        var bound = 1.0 / r.Classes + t.ChanceMargin;
        foreach (var s in r.Attacks.Where(a => a.Sanity && a.Accuracy > bound))
            flags.Add(new(LargeEpsilonNotChance,
                $"{s.Attack.Name} (eps {s.Attack.Epsilon:0.###}{(s.Attack.Surrogate is { } g ? $", through {g}" : "")}) leaves {Pct(s.Accuracy)} " +
                $"accuracy; an unbounded attack should reach chance ({Pct(1.0 / r.Classes)}) + {Pct(t.ChanceMargin)}.")
            { Doubts = [.. r.Attacks.Where(IsGradient).Select(a => a.Attack.Name)] });
    }

    // Black-box attacks know less than white-box ones; if one beats them all together, the white-box gradients are broken.
    private static void CheckTransfer(Masks r, MaskingThresholds t, List<MaskingFlag> flags)
    {
        foreach (var tr in r.Counted.Where(a => a.Attack.Kind == AttackKind.Transfer && !a.Attack.Cascade))
        {
            var whiteBox = r.Counted.Where(a => IsGradient(a) && Same(a.Attack.Epsilon, tr.Attack.Epsilon)).ToList();
            if (whiteBox.Count == 0) continue;
            var (onlyTransfer, onlyWhiteBox) = ExampleMask.Discordant(r.AndAll(whiteBox), r.AndClean(tr));
            if (!Beyond(onlyTransfer, onlyWhiteBox, t)) continue;
            flags.Add(new(TransferBeatsWhiteBox,
                $"transfer attack {tr.Attack.Name} beats every white-box attack at eps {In255(tr.Attack.Epsilon)}/255 together ({onlyTransfer} images " +
                $"broken by it only, {onlyWhiteBox} by them only; McNemar p = {P(Accuracy.McNemarExact(onlyTransfer, onlyWhiteBox))}).")
            { Epsilon = tr.Attack.Epsilon, Doubts = [.. whiteBox.Select(a => a.Attack.Name)] });
        }
    }

    // Spikes make the training surrogate's gradient zero wherever no membrane sits near threshold: the paper's attacks
    // then have nothing to follow (the adaptive backward has no zero support, so this says nothing about it).
    private static void CheckZeroGradient(SuiteResult r, MaskingThresholds t, List<MaskingFlag> flags)
    {
        if (r.ZeroGradientFraction > t.ZeroGradientFraction)
            flags.Add(new(ZeroInputGradient,
                $"{Pct(r.ZeroGradientFraction)} of the images have an input gradient of exactly zero through the training " +
                $"surrogate (limit {Pct(t.ZeroGradientFraction)}): the paper's gradient attacks cannot move them.")
            { Informative = true, Doubts = [.. r.Attacks.Where(IsStandardGradient).Select(a => a.Attack.Name)] });
    }

    /// <summary>The first count exceeds the second beyond paired noise (exact McNemar).</summary>
    static bool Beyond(int more, int fewer, MaskingThresholds t) => more > fewer && Accuracy.McNemarExact(more, fewer) < t.Significance;

    static bool Beyond((int More, int Fewer) counts, MaskingThresholds t) => Beyond(counts.More, counts.Fewer, t);

    static bool Same(float a, float b) => Math.Abs(a - b) <= EpsilonMatch;

    private static string Pct(double fraction) => (fraction * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
    private static string P(double p) => p.ToString(p < 0.001 ? "0.0e0" : "0.000", CultureInfo.InvariantCulture);
    private static string In255(float eps) => (eps * 255f).ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>The per-example results of a suite, unpacked once; attacks without a mask take no part in paired checks.</summary>
    sealed class Masks
    {
        readonly Dictionary<AttackResult, bool[]> _masks = new(ReferenceEqualityComparer.Instance);

        public Masks(SuiteResult result)
        {
            Examples = result.Examples;
            CleanCorrect = result.CleanCorrect;
            Clean = result.CleanMask is { } c ? ExampleMask.Unpack(c, Examples) : Enumerable.Repeat(true, Examples).ToArray();
            foreach (var a in result.Attacks.Where(a => a.Mask is not null))
                _masks[a] = ExampleMask.Unpack(a.Mask!, Examples);
            Counted = result.Attacks.Where(a => RobustnessEvaluator.CountsForWorstCase(a) && _masks.ContainsKey(a)).ToList();
        }

        public int Examples { get; }
        public int CleanCorrect { get; }
        public bool[] Clean { get; }
        /// <summary>Attacks that count for the worst case and kept their per-example results.</summary>
        public IReadOnlyList<AttackResult> Counted { get; }

        public bool[] Of(AttackResult a) => _masks[a];
        public bool[] AndClean(AttackResult a) => ExampleMask.And(Clean, _masks[a]);
        public bool[] AndAll(IEnumerable<AttackResult> attacks) => ExampleMask.AndAll(Clean, attacks.Select(a => _masks[a]));
    }
}
