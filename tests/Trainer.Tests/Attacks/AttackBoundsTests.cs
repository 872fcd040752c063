using StableSnn.Contracts;
using StableSnn.Trainer.Attacks;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Tests.Attacks;

[Collection(AttackCollection.Name)]
public sealed class AttackBoundsTests(AttackFixture f)
{
    private const float Eps = 8f / 255f;

    public static TheoryData<string> EpsBallAttacks => ["fgsm", "pgd", "apgd-ce", "apgd-dlr", "rfgsm", "transfer"];

    private IAttack Make(string name) => name switch
    {
        "fgsm" => new Fgsm(Eps),
        "pgd" => Pgd.Pgd7(Eps),
        "apgd-ce" => new Apgd(Eps, 10, AttackLoss.CE),
        "apgd-dlr" => new Apgd(Eps, 10, AttackLoss.DLR, restarts: 2),
        "rfgsm" => new RFgsm(Eps),
        "transfer" => new Transfer(Pgd.Pgd10(Eps), f.Source),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(EpsBallAttacks))]
    public void OutputStaysInEpsBallAndPixelRange(string name)
    {
        using var scope = NewDisposeScope();
        var attack = Make(name);
        var adv = attack.Perturb(f.Model, f.Images, f.Labels, seeds: 11);

        Assert.Equal(f.Images.shape, adv.shape);
        Assert.Equal(f.Images.dtype, adv.dtype);
        Assert.True((adv - f.Images).abs().max().item<float>() <= Eps + 1e-6f);
        Assert.True(adv.min().item<float>() >= 0f);
        Assert.True(adv.max().item<float>() <= 1f);
        Assert.Equal(Eps, attack.Epsilon);
    }

    [Theory]
    [MemberData(nameof(EpsBallAttacks))]
    public void SameSeedGivesSameOutput(string name)
    {
        using var scope = NewDisposeScope();
        var attack = Make(name);
        var a = attack.Perturb(f.Model, f.Images, f.Labels, seeds: 5);
        var b = attack.Perturb(f.Model, f.Images, f.Labels, seeds: 5);
        Assert.True(AttackFixture.Same(a, b));
    }

    [Fact]
    public void RandomStartDependsOnSeed()
    {
        using var scope = NewDisposeScope();
        var attack = Pgd.Pgd7(Eps);
        var a = attack.Perturb(f.Model, f.Images, f.Labels, seeds: 1);
        var b = attack.Perturb(f.Model, f.Images, f.Labels, seeds: 2);
        Assert.False(AttackFixture.Same(a, b));
    }

    [Fact]
    public void GaussianNoiseIsClampedSeededAndReportsSigma()
    {
        using var scope = NewDisposeScope();
        var attack = new GaussianNoise(0.2f);
        var a = attack.Perturb(f.Model, f.Images, f.Labels, seeds: 3);
        var b = attack.Perturb(f.Model, f.Images, f.Labels, seeds: 3);
        Assert.True(AttackFixture.Same(a, b));
        Assert.True(a.min().item<float>() >= 0f && a.max().item<float>() <= 1f);
        // No eps ball: sigma 0.2 noise moves some pixels by more than 0.2.
        Assert.True((a - f.Images).abs().max().item<float>() > 0.2f);
        Assert.Equal(0.2f, attack.Epsilon);
    }

    [Fact]
    public void AttacksRestoreTrainingFlagAndLeaveParameterGradsAlone()
    {
        using var scope = NewDisposeScope();
        using var fresh = new TinyMlp(AttackFixture.Classes, seed: 9);
        fresh.train();
        foreach (var attack in new IAttack[] { new Fgsm(Eps), Pgd.Pgd7(Eps), new Apgd(Eps), new RFgsm(Eps) })
        {
            attack.Perturb(fresh, f.Images, f.Labels, seeds: 1);
            Assert.True(fresh.training, attack.Name);
        }
        fresh.eval();
        new Fgsm(Eps).Perturb(fresh, f.Images, f.Labels, seeds: 1);
        Assert.False(fresh.training);
        Assert.All(fresh.parameters(), p => Assert.Null(p.grad));
    }

    [Fact]
    public void ModelIgnoringItsInputGetsZeroGradientNotAnError()
    {
        using var scope = NewDisposeScope();
        using var constant = new ConstantModel(AttackFixture.Classes);
        var adv = new Fgsm(Eps).Perturb(constant, f.Images, f.Labels, seeds: 1);
        Assert.True(AttackFixture.Same(adv, f.Images));
        var apgd = new Apgd(Eps).Perturb(constant, f.Images, f.Labels, seeds: 1);
        Assert.True((apgd - f.Images).abs().max().item<float>() <= Eps + 1e-6f);
    }

    [Fact]
    public void AttacksWorkInsideNoGrad()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var adv = new Fgsm(Eps).Perturb(f.Model, f.Images, f.Labels, seeds: 1);
        Assert.True((adv - f.Images).abs().max().item<float>() > 0f);
    }
}
