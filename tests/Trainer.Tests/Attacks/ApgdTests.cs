using StableSnn.Contracts;
using StableSnn.Trainer.Attacks;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Tests.Attacks;

[Collection(AttackCollection.Name)]
public sealed class ApgdTests(AttackFixture f)
{
    [Fact]
    public void CheckpointsFollowTheReferenceSchedule()
    {
        // Windows of floor(0.22 N), each shorter by floor(0.03 N) down to floor(0.06 N), all at least 1.
        // N = 100: 22, 19, 16, 13, 10, 7, 6, 6 -> the paper's 0.22, 0.41, 0.57, 0.70, 0.80, 0.87, 0.93, 0.99.
        Assert.Equal(new[] { 22, 41, 57, 70, 80, 87, 93, 99 }, Apgd.Checkpoints(100));
        // N = 10: windows 2, 1, 1, ... (the paper's formula would give 3, 5, 6, 7, 8, 9).
        Assert.Equal(new[] { 2, 3, 4, 5, 6, 7, 8, 9, 10 }, Apgd.Checkpoints(10));
        // N = 20: 4, then 3, 2, 1, 1, ...
        Assert.Equal(new[] { 4, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 }, Apgd.Checkpoints(20));
    }

    [Fact]
    public void TargetedDlrMatchesHandComputation()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 5, 1, 3, 2, 0, 4, 1, 3 }).reshape(2, 4);
        var labels = tensor(new long[] { 0, 1 });
        var targets = tensor(new long[] { 2, 0 });
        // Row 0: sorted 5 3 2 1, spread 5 - (2 + 1) / 2 = 3.5: -(5 - 3) / 3.5 = -0.5714286.
        // Row 1: sorted 4 3 1 0, spread 4 - (1 + 0) / 2 = 3.5: -(4 - 0) / 3.5 = -1.1428571.
        var loss = AttackLosses.DlrTargeted(logits, labels, targets).data<float>().ToArray();
        Assert.Equal(-0.5714286f, loss[0], 1e-6f);
        Assert.Equal(-1.1428571f, loss[1], 1e-6f);
        Assert.Throws<ArgumentException>(() => AttackLosses.DlrTargeted(zeros(1, 3), tensor(new long[] { 0 }), tensor(new long[] { 1 })));
    }

    [Fact]
    public void TargetsGoDownTheCleanRankingWithTiesToTheLowerClass()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 5, 1, 3, 2, 2, 7, 7, 1 }).reshape(2, 4);
        // Row 0 ranks 0, 2, 3, 1; row 1 ranks 1, 2 (tie with 1 broken by index), 0, 3.
        Assert.Equal(new long[] { 2, 2 }, AttackLosses.Targets(logits, 1).data<long>().ToArray());
        Assert.Equal(new long[] { 3, 0 }, AttackLosses.Targets(logits, 2).data<long>().ToArray());
        Assert.Equal(new long[] { 1, 3 }, AttackLosses.Targets(logits, 3).data<long>().ToArray());
    }

    [Fact]
    public void MoreTargetClassesNeverWeakenApgdT()
    {
        using var scope = NewDisposeScope();
        const float eps = 12f / 255f;
        double Robust(int targets) => AttackFixture.Accuracy(f.Model,
            new Apgd(eps, 10, AttackLoss.DlrTargeted, targetClasses: targets).Perturb(f.Model, f.Images, f.Labels, 3), f.Labels);
        var one = Robust(1);
        var three = Robust(3);
        // Each further target runs only on the images still robust, from the same per-example streams.
        Assert.True(three <= one, $"3 targets {three} vs 1 target {one}");
        Assert.True(one < AttackFixture.Accuracy(f.Model, f.Images, f.Labels), "APGD-T should break something");
        // Targets beyond the classes there are (4 here: 3 others) change nothing.
        Assert.Equal(three, Robust(9));
    }

    [Fact]
    public void TheStableStepRuleStaysInTheBallAndAttacks()
    {
        using var scope = NewDisposeScope();
        const float eps = 12f / 255f;
        var adv = new Apgd(eps, 20, step: StepRule.Stable).Perturb(f.Model, f.Images, f.Labels, 5);
        Assert.True((adv - f.Images).abs().max().item<float>() <= eps + 1e-6f);
        Assert.True(adv.min().item<float>() >= 0 && adv.max().item<float>() <= 1);
        Assert.True(AttackFixture.Accuracy(f.Model, adv, f.Labels) < AttackFixture.Accuracy(f.Model, f.Images, f.Labels) - 0.1);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(12)]
    public void ApgdCeIsAtLeastAsStrongAsPgdWithTheSameBudget(int epsIn255)
    {
        using var scope = NewDisposeScope();
        var eps = epsIn255 / 255f;
        var pgd = AttackFixture.Accuracy(f.Model,
            new Pgd(eps, 10, eps / 4, randomStart: true).Perturb(f.Model, f.Images, f.Labels, 7), f.Labels);
        var apgd = AttackFixture.Accuracy(f.Model,
            new Apgd(eps, 10, AttackLoss.CE).Perturb(f.Model, f.Images, f.Labels, 7), f.Labels);
        // Tolerance: one example of 128.
        Assert.True(apgd <= pgd + 1.0 / 128 + 1e-9, $"APGD {apgd} vs PGD {pgd}");
    }

    [Fact]
    public void MoreRestartsNeverWeakenTheAttack()
    {
        using var scope = NewDisposeScope();
        const float eps = 12f / 255f;
        var one = AttackFixture.Accuracy(f.Model, new Apgd(eps, 10, AttackLoss.DLR, restarts: 1).Perturb(f.Model, f.Images, f.Labels, 3), f.Labels);
        var three = AttackFixture.Accuracy(f.Model, new Apgd(eps, 10, AttackLoss.DLR, restarts: 3).Perturb(f.Model, f.Images, f.Labels, 3), f.Labels);
        Assert.True(three <= one, $"3 restarts {three} vs 1 restart {one}");
    }

    [Fact]
    public void DlrLossMatchesHandComputation()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 1, 3, 2, 0, 4, 1, 0, 2 }).reshape(2, 4);
        var labels = tensor(new long[] { 1, 3 });
        // Row 0: z_y = 3, best other = 2, sorted 3 2 1 0 -> -(3 - 2) / (3 - 1) = -0.5.
        // Row 1: z_y = 2, best other = 4, sorted 4 2 1 0 -> -(2 - 4) / (4 - 1) = 2/3.
        var dlr = AttackLosses.Dlr(logits, labels).data<float>().ToArray();
        Assert.Equal(-0.5f, dlr[0], 1e-6f);
        Assert.Equal(2f / 3f, dlr[1], 1e-6f);
    }

    [Fact]
    public void DlrRejectsFewerThanThreeClasses()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => AttackLosses.Dlr(zeros(2, 2), tensor(new long[] { 0, 1 })));
    }
}
