using StableSnn.Trainer.Attacks;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Tests.Attacks;

[Collection(AttackCollection.Name)]
public sealed class FgsmPgdTests(AttackFixture f)
{
    [Fact]
    public void ZeroEpsilonGivesCleanAccuracy()
    {
        using var scope = NewDisposeScope();
        var clean = AttackFixture.Accuracy(f.Model, f.Images, f.Labels);
        foreach (var attack in new IAttack[] { new Fgsm(0f), new Pgd(0f, 5, 0.01f, randomStart: true) })
        {
            var adv = attack.Perturb(f.Model, f.Images, f.Labels, seeds: 1);
            Assert.True(AttackFixture.Same(adv, f.Images), attack.Name);
            Assert.Equal(clean, AttackFixture.Accuracy(f.Model, adv, f.Labels));
        }
    }

    [Fact]
    public void OneStepPgdWithoutRandomStartEqualsFgsm()
    {
        using var scope = NewDisposeScope();
        const float eps = 8f / 255f;
        var fgsm = new Fgsm(eps).Perturb(f.Model, f.Images, f.Labels, seeds: 1);
        var pgd = new Pgd(eps, steps: 1, stepSize: eps, randomStart: false).Perturb(f.Model, f.Images, f.Labels, seeds: 2);
        Assert.True(AttackFixture.Same(fgsm, pgd));
    }

    [Fact]
    public void AttacksLowerAccuracyOnTrainedModel()
    {
        using var scope = NewDisposeScope();
        const float eps = 16f / 255f;
        var clean = AttackFixture.Accuracy(f.Model, f.Images, f.Labels);
        var fgsm = AttackFixture.Accuracy(f.Model, new Fgsm(eps).Perturb(f.Model, f.Images, f.Labels, 1), f.Labels);
        var pgd = AttackFixture.Accuracy(f.Model, new Pgd(eps, 10, eps / 4).Perturb(f.Model, f.Images, f.Labels, 1), f.Labels);
        Assert.True(clean >= 0.95, $"clean {clean}");
        Assert.True(fgsm < clean - 0.2, $"fgsm {fgsm} clean {clean}");
        Assert.True(pgd <= fgsm, $"pgd {pgd} fgsm {fgsm}");
    }

    [Fact]
    public void PresetsMatchThePaperTable()
    {
        var presets = new[] { Pgd.Pgd7(), Pgd.Pgd10(), Pgd.Pgd20(), Pgd.Pgd40() };
        Assert.Equal(new[] { 7, 10, 20, 40 }, presets.Select(p => p.Steps));
        Assert.Equal(new[] { 2.55f / 255f, 2f / 255f, 1f / 255f, 0.5f / 255f }, presets.Select(p => p.StepSize));
        Assert.All(presets, p => Assert.Equal(8f / 255f, p.Epsilon));
        Assert.All(presets, p => Assert.True(p.RandomStart));
    }
}
