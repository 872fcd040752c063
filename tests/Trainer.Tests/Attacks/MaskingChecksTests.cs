using StableSnn.Contracts;
using StableSnn.Trainer.Attacks;

namespace StableSnn.Trainer.Tests.Attacks;

/// <summary>
/// Each check on hand-made per-example results (200 images, 180 right clean: images 0..179), so every paired count
/// below can be read off the ranges; the end-to-end behaviour is in <see cref="MaskingEndToEndTests"/> and
/// <see cref="ReliableSuiteTests"/>.
/// </summary>
public sealed class MaskingChecksTests
{
    const int N = 200;
    static readonly bool[] Clean = Robust(0..180);

    /// <summary>A mask with the images in <paramref name="ranges"/> robust (end exclusive).</summary>
    static bool[] Robust(params Range[] ranges)
    {
        var mask = new bool[N];
        foreach (var r in ranges)
            for (var i = r.Start.Value; i < r.End.Value; i++) mask[i] = true;
        return mask;
    }

    static AttackResult Entry(AttackConfig c, bool[] robust, bool sanity = false)
    {
        var correct = robust.Count(x => x);
        return new AttackResult(c, N, correct, correct / (double)N, 0.1, sanity) { Mask = ExampleMask.Pack(robust), Attempted = N };
    }

    static SuiteResult Suite(params AttackResult[] entries) =>
        new(N, 10, 100, 0, 0.9, 180, 0.1, entries, []) { CleanMask = ExampleMask.Pack(Clean) };

    static readonly AttackConfig Fgsm8 = AttackSuites.Fgsm8;
    static readonly AttackConfig Pgd10 = AttackSuites.Pgd10;
    static readonly AttackConfig Apgd = AttackSuites.ApgdCeAdaptive(20);
    static readonly AttackConfig Square = AttackSuites.Square8(100);

    [Fact]
    public void AHealthyResultDoubtsOnlySingleStepFgsm()
    {
        // APGD (cascade: cumulative) breaks 2 images PGD left; Square breaks 2 the gradient side left (116, 117) and
        // misses 2 it broke (118, 119): no difference beyond noise, and PGD overstates the worst case by 4 images only.
        // FGSM leaves 20 more images that Square breaks (20 against 0): its number overstates robustness, a finding.
        var r = Suite(Entry(Fgsm8, Robust(0..140)), Entry(Pgd10, Robust(0..120)), Entry(Apgd, Robust(0..118)),
            Entry(Square, Robust(0..116, 118..120)), Entry(EvaluatorOptions.SanityAttack, Robust(), sanity: true));
        var flags = MaskingChecks.Evaluate(r);
        var flag = Assert.Single(flags);
        Assert.Equal(MaskingChecks.SquareBeatsAttack, flag.Code);
        Assert.True(flag.Informative);
        Assert.Equal(["FGSM-8"], MaskingChecks.Unreliable(r, flags));
        Assert.False((r with { Flags = flags }).Suspect);
    }

    [Fact]
    public void SquareBeatingEveryGradientAttackTogetherIsSuspect()
    {
        // Gradient side robust 0..120; Square robust 0..90 plus 125..127 (2 images the gradient side broke): 30 against 2.
        var r = Suite(Entry(Pgd10, Robust(0..130)), Entry(Apgd, Robust(0..120)), Entry(Square, Robust(0..90, 125..127)));
        var flags = MaskingChecks.Evaluate(r);
        var flag = Assert.Single(flags, f => f.Code == MaskingChecks.GradientMaskingSuspected);
        Assert.False(flag.Informative);
        Assert.Contains("30 images broken by it only, 2 by a gradient attack only", flag.Message);
        Assert.True((r with { Flags = flags }).Suspect);
        Assert.Equal(["PGD-10", "APGD-CE-adaptive"], MaskingChecks.Unreliable(r, flags));
    }

    [Fact]
    public void SquareBeatingOnlyThePapersAttackIsInformative()
    {
        // PGD-10 robust 0..150. The adaptive APGD (cumulative) robust 0..110: it broke 40 more. Square robust 0..100 and
        // 110..150: it breaks 10 the gradient side left (100..110) and none of APGD's 40 (110..150): 10 against 40, not
        // suspect. Against PGD-10 alone: Square breaks 100..110 that PGD left, PGD nothing Square kept: 10 against 0.
        var r = Suite(Entry(Pgd10, Robust(0..150)), Entry(Apgd, Robust(0..110)), Entry(Square, Robust(0..100, 110..150)));
        var flags = MaskingChecks.Evaluate(r);
        Assert.DoesNotContain(flags, f => f.Code == MaskingChecks.GradientMaskingSuspected);
        var beats = Assert.Single(flags, f => f.Code == MaskingChecks.SquareBeatsAttack);
        Assert.True(beats.Informative);
        Assert.Equal(["PGD-10"], beats.Doubts);
        // The paper's PGD-10 overstates the worst case (0..100) by 50 of 200 images.
        var overstates = Assert.Single(flags, f => f.Code == MaskingChecks.StandardOverstates);
        Assert.True(overstates.Informative);
        Assert.Contains("50 of 200", overstates.Message);
        Assert.Contains("25.0%", overstates.Message);
        Assert.False((r with { Flags = flags }).Suspect);
        Assert.Equal(["PGD-10"], MaskingChecks.Unreliable(r, flags));
    }

    [Fact]
    public void EveryComparisonUsesBothDiscordantCounts()
    {
        // Square breaks 8 images the gradient side left but misses 6 it broke: p = 0.79, not a finding. (A test against
        // a second count of zero would have called 8 images significant.)
        var r = Suite(Entry(Pgd10, Robust(0..120)), Entry(Square, Robust(0..112, 120..126)));
        var flags = MaskingChecks.Evaluate(r);
        Assert.DoesNotContain(flags, f => f.Code is MaskingChecks.GradientMaskingSuspected or MaskingChecks.SquareBeatsAttack);
        // That PGD-10's number is above the worst case (8 of 200 images) is a fact about these images, not a comparison.
        Assert.Contains(flags, f => f.Code == MaskingChecks.StandardOverstates && f.Informative);
        Assert.Equal(0.79, Accuracy.McNemarExact(8, 6), 2);
    }

    [Fact]
    public void ASquareInTheCascadeFallsBackToAutoAttacksCountRule()
    {
        var cascaded = Square with { Cascade = true };
        var r = Suite(Entry(Pgd10, Robust(0..120)), Entry(cascaded, Robust(0..118)));
        var flag = Assert.Single(MaskingChecks.Evaluate(r), f => f.Code == MaskingChecks.GradientMaskingSuspected);
        Assert.Contains("not a paired test", flag.Message);
        // 0.2% of 200 images is under one image: a single image does not fire.
        Assert.Empty(MaskingChecks.Evaluate(Suite(Entry(Pgd10, Robust(0..120)), Entry(cascaded, Robust(0..119)))));
    }

    [Fact]
    public void AnIterativeAttackWithinNoiseOfCleanIsFlagged()
    {
        // Breaks 3 (177..180), repairs 1 (190): p = 0.625. Breaking 10 and repairing none is p = 0.002: attacking.
        var flag = Assert.Single(MaskingChecks.Evaluate(Suite(Entry(Pgd10, Robust(0..177, 190..191)))));
        Assert.Equal(MaskingChecks.IterativeAtClean, flag.Code);
        Assert.True(flag.Informative);
        Assert.Contains("3 images broken, 1 repaired", flag.Message);
        Assert.Empty(MaskingChecks.Evaluate(Suite(Entry(Pgd10, Robust(0..170)))));
        // The same for an adaptive attack doubts the headline.
        var adaptive = Pgd10 with { Name = "PGD-adaptive", Surrogate = AttackSuites.Adaptive };
        Assert.False(Assert.Single(MaskingChecks.Evaluate(Suite(Entry(adaptive, Robust(0..177))))).Informative);
    }

    [Fact]
    public void IterativeWeakerThanFgsmNeedsAPairedDifference()
    {
        // PGD robust 0..135, FGSM robust 0..120 plus 150..152: 15 against 2 -> flagged; 4 against 2 -> not.
        var flag = Assert.Single(MaskingChecks.Evaluate(Suite(Entry(Fgsm8, Robust(0..120, 150..152)), Entry(Pgd10, Robust(0..135)))));
        Assert.Equal(MaskingChecks.IterativeWeakerThanFgsm, flag.Code);
        Assert.Contains("15 images robust to PGD-10 only, 2 to FGSM-8 only", flag.Message);
        Assert.Empty(MaskingChecks.Evaluate(Suite(Entry(Fgsm8, Robust(0..120, 150..152)), Entry(Pgd10, Robust(0..124)))));
    }

    [Fact]
    public void AccuracyRisingWithEpsilonComparesOnlyLikeAttacks()
    {
        var curve = AttackSuites.EpsilonCurve([10, 20]);
        // Robust to eps 20 on 0..110, to eps 10 on 0..95: 15 against 0.
        var flag = Assert.Single(MaskingChecks.Evaluate(Suite(Entry(curve[0], Robust(0..95)), Entry(curve[1], Robust(0..110)))));
        Assert.Equal(MaskingChecks.AccuracyRisesWithEpsilon, flag.Code);
        Assert.Contains("PGD-10-eps20", flag.Message);
        // A rise within noise (3 against 0) is not a finding.
        Assert.Empty(MaskingChecks.Evaluate(Suite(Entry(curve[0], Robust(0..95)), Entry(curve[1], Robust(0..98)))));
        // Attacks that differ in step size relative to eps, or in their backward, are not compared.
        var otherStep = curve[1] with { StepSize = curve[1].Epsilon / 10 };
        var otherBackward = curve[1] with { Surrogate = AttackSuites.Adaptive };
        Assert.Empty(MaskingChecks.Evaluate(Suite(Entry(curve[0], Robust(0..95)), Entry(otherStep, Robust(0..110)))));
        Assert.Empty(MaskingChecks.Evaluate(Suite(Entry(curve[0], Robust(0..95)), Entry(otherBackward, Robust(0..110)))));
    }

    [Fact]
    public void LargeEpsilonAboveChanceIsFlagged()
    {
        // 10 classes: chance 10% + 10 pp margin = 20% = 40 of 200.
        Assert.Empty(MaskingChecks.Evaluate(Suite(Entry(EvaluatorOptions.SanityAttack, Robust(0..40), sanity: true))));
        var flag = Assert.Single(MaskingChecks.Evaluate(Suite(Entry(EvaluatorOptions.SanityAttack, Robust(0..41), sanity: true))));
        Assert.Equal(MaskingChecks.LargeEpsilonNotChance, flag.Code);
        Assert.False(flag.Informative);
    }

    [Fact]
    public void TransferBeatingEveryWhiteBoxAttackIsFlagged()
    {
        // White-box side robust 0..120; the transfer attack robust 0..100: 20 against 0.
        var r = Suite(Entry(Fgsm8, Robust(0..140)), Entry(Pgd10, Robust(0..120)), Entry(AttackSuites.TransferPgd10("other"), Robust(0..100)));
        var flag = Assert.Single(MaskingChecks.Evaluate(r), f => f.Code == MaskingChecks.TransferBeatsWhiteBox);
        Assert.False(flag.Informative);
    }

    [Fact]
    public void ZeroGradientsThroughTheTrainingSurrogateDoubtOnlyThePapersAttacks()
    {
        var r = Suite(Entry(Pgd10, Robust(0..120)), Entry(Apgd, Robust(0..118))) with { ZeroGradientFraction = 0.3 };
        var flag = Assert.Single(MaskingChecks.Evaluate(r));
        Assert.Equal(MaskingChecks.ZeroInputGradient, flag.Code);
        Assert.True(flag.Informative);
        Assert.Equal(["PGD-10"], flag.Doubts);
    }
}
