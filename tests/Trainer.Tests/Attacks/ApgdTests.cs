using StableSnn.Contracts;
using StableSnn.Trainer.Attacks;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Tests.Attacks;

[Collection(AttackCollection.Name)]
public sealed class ApgdTests(AttackFixture f)
{
    [Fact]
    public void CheckpointsFollowThePaperSchedule()
    {
        // p = 0, .22, .41, .57, .70, .80, .87, .93, .99; w = ceil(p * N), kept inside (0, N).
        Assert.Equal(new[] { 3, 5, 6, 7, 8, 9 }, Apgd.Checkpoints(10));
        Assert.Equal(new[] { 22, 41, 57, 70, 80, 87, 93, 99 }, Apgd.Checkpoints(100));
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
