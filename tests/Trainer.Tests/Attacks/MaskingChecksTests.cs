using StableSnn.Contracts;
using StableSnn.Trainer.Attacks;
using Xunit.Abstractions;

namespace StableSnn.Trainer.Tests.Attacks;

/// <summary>Each rule on hand-made results; the end-to-end behaviour is in <see cref="MaskingEndToEndTests"/>.</summary>
public sealed class MaskingChecksTests
{
    private static AttackResult Entry(AttackConfig c, int correct, int n = 200, bool sanity = false) =>
        new(c, n, correct, (double)correct / n, 0.1, sanity);

    private static SuiteResult Suite(params AttackResult[] entries) =>
        new(200, 10, 100, 0, 0.9, 180, 0.1, entries, []);

    private static readonly AttackConfig Fgsm8 = AttackSuites.Fgsm8;
    private static readonly AttackConfig Pgd10 = AttackSuites.Pgd10;

    [Fact]
    public void HealthyResultRaisesNoFlag()
    {
        var curve = AttackSuites.EpsilonCurve([8, 16, 32]);
        var r = Suite(Entry(Fgsm8, 100), Entry(Pgd10, 80), Entry(curve[0], 82), Entry(curve[1], 40), Entry(curve[2], 5),
            Entry(AttackSuites.TransferPgd10("other"), 120), Entry(EvaluatorOptions.SanityAttack, 0, sanity: true));
        Assert.Empty(MaskingChecks.Evaluate(r));
    }

    [Fact]
    public void AccuracyRisingWithEpsilonIsFlagged()
    {
        var curve = AttackSuites.EpsilonCurve([10, 20, 30]);
        var r = Suite(Entry(curve[0], 50), Entry(curve[1], 30), Entry(curve[2], 40));
        var flag = Assert.Single(MaskingChecks.Evaluate(r));
        Assert.Equal(MaskingChecks.AccuracyRisesWithEpsilon, flag.Code);
        Assert.Contains("PGD-10-eps30", flag.Message);
    }

    [Fact]
    public void RiseWithinToleranceIsNotFlagged()
    {
        var curve = AttackSuites.EpsilonCurve([10, 20]);
        // 1.5 pp of 200 examples = 3 examples.
        Assert.Empty(MaskingChecks.Evaluate(Suite(Entry(curve[0], 50), Entry(curve[1], 53))));
        Assert.NotEmpty(MaskingChecks.Evaluate(Suite(Entry(curve[0], 50), Entry(curve[1], 54))));
    }

    [Fact]
    public void IterativeWeakerThanFgsmIsFlagged()
    {
        var r = Suite(Entry(Fgsm8, 100), Entry(Pgd10, 120), Entry(AttackSuites.ApgdCe, 90));
        var flag = Assert.Single(MaskingChecks.Evaluate(r));
        Assert.Equal(MaskingChecks.IterativeWeakerThanFgsm, flag.Code);
        Assert.Contains("PGD-10", flag.Message);
    }

    [Fact]
    public void LargeEpsilonAboveChanceIsFlagged()
    {
        // 10 classes: chance 10% + 10 pp margin = 20% = 40 of 200.
        Assert.Empty(MaskingChecks.Evaluate(Suite(Entry(EvaluatorOptions.SanityAttack, 40, sanity: true))));
        var flag = Assert.Single(MaskingChecks.Evaluate(Suite(Entry(EvaluatorOptions.SanityAttack, 41, sanity: true))));
        Assert.Equal(MaskingChecks.LargeEpsilonNotChance, flag.Code);
    }

    [Fact]
    public void TransferBeatingWhiteBoxIsFlagged()
    {
        var r = Suite(Entry(Fgsm8, 100), Entry(Pgd10, 80), Entry(AttackSuites.TransferPgd10("other"), 60));
        var flag = Assert.Single(MaskingChecks.Evaluate(r));
        Assert.Equal(MaskingChecks.TransferBeatsWhiteBox, flag.Code);
    }

    [Fact]
    public void ToleranceIsAtLeastOneExample()
    {
        // On 20 examples one example is 5 pp: a one-example rise must not flag.
        var curve = AttackSuites.EpsilonCurve([10, 20]);
        var r = new SuiteResult(20, 10, 20, 0, 1, 20, 0, [Entry(curve[0], 5, 20), Entry(curve[1], 6, 20)], []);
        Assert.Empty(MaskingChecks.Evaluate(r));
    }
}
