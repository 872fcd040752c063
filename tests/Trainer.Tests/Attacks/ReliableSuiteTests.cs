using StableSnn.Contracts;
using StableSnn.Trainer.Attacks;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Tests.Attacks;

/// <summary>
/// The reliable suite's headline (per-example worst case) and its masking checks, on a spiking model whose training
/// surrogate masks the gradient by construction and on the same function without masking.
/// </summary>
[Collection(AttackCollection.Name)]
public sealed class ReliableSuiteTests(AttackFixture f, ITestOutputHelper output)
{
    const float Eps = 0.06f;
    const float Scale = 4096; // a power of two: the rescaled twin computes bitwise the same spikes

    static IReadOnlyList<AttackConfig> Suite =>
    [
        new("FGSM", AttackKind.Fgsm, Eps),
        new("PGD-10", AttackKind.Pgd, Eps, Steps: 10, StepSize: Eps / 4, RandomStart: true),
        AttackSuites.ApgdCeAdaptive with { Epsilon = Eps, Steps = 10 },
        AttackSuites.Square8(300) with { Name = "Square", Epsilon = Eps },
    ];

    [Fact]
    public void Masked_spiking_model_standard_pgd_near_clean_worst_case_clearly_lower_and_flags_fire()
    {
        using var normal = TinySnn.Trained(f.TrainImages, f.TrainLabels, AttackFixture.Classes, seed: 5);
        using var masked = normal.Rescaled(Scale);
        using (no_grad())
            Assert.True(AttackFixture.Same(normal.call(f.Images), masked.call(f.Images)), "rescaling must not change the function");

        var r = RobustnessEvaluator.Run(masked, Suite, f.Images, f.Labels, batchSize: 64, seed: 7);
        Log(r);
        var pgd = r.Attacks.Single(a => a.Attack.Name == "PGD-10");
        var worst = r.Headline!;
        Assert.True(r.CleanAccuracy > 0.8, $"the spiking model should have learnt the task (clean {r.CleanAccuracy})");
        Assert.True(pgd.Accuracy >= r.CleanAccuracy - 0.05, $"masked PGD should stay near clean: {pgd.Accuracy} vs {r.CleanAccuracy}");
        Assert.True(worst.Accuracy <= pgd.Accuracy - 0.2, $"the worst case should be clearly below PGD: {worst.Accuracy} vs {pgd.Accuracy}");
        Assert.Contains(r.Flags, x => x.Code == MaskingChecks.StrongerAttackFound && x.Message.Contains("McNemar p"));
        Assert.Contains(r.Flags, x => x.Code == MaskingChecks.ZeroInputGradient);
        Assert.True(r.ZeroGradientFraction > 0.5, $"most images should have a zero gradient, got {r.ZeroGradientFraction}");
        Assert.Contains("PGD-10", r.Unreliable);
        Assert.Contains("FGSM", r.Unreliable);
        Assert.DoesNotContain("Square", r.Unreliable);
    }

    [Fact]
    public void On_the_unmasked_model_the_worst_case_is_at_most_every_attack_and_the_and_of_their_masks()
    {
        using var model = TinySnn.Trained(f.TrainImages, f.TrainLabels, AttackFixture.Classes, seed: 5);
        var r = RobustnessEvaluator.Run(model, Suite, f.Images, f.Labels, batchSize: 50, seed: 7);
        Log(r);
        var worst = Assert.Single(r.WorstCases);
        Assert.Equal(Eps, worst.Epsilon);
        Assert.All(r.Attacks.Where(a => !a.Sanity), a => Assert.True(worst.Accuracy <= a.Accuracy, $"{a.Attack.Name} {a.Accuracy} < worst {worst.Accuracy}"));
        Assert.True(worst.Accuracy <= r.CleanAccuracy);

        // Recompute the worst case from the stored per-example results.
        var expected = r.Attacks.Where(a => !a.Sanity)
            .Aggregate(ExampleMask.Unpack(r.CleanMask!, r.Examples), (m, a) => ExampleMask.And(m, ExampleMask.Unpack(a.Mask!, r.Examples)));
        Assert.Equal(expected.Count(x => x), worst.Correct);
        Assert.Equal(ExampleMask.Pack(expected), worst.Mask);

        // The cascade only attacks what was still robust before it, so it attempts at most that many.
        var beforeApgd = r.Attacks.Where(a => !a.Attack.Cascade && !a.Sanity)
            .Aggregate(ExampleMask.Unpack(r.CleanMask!, r.Examples), (m, a) => ExampleMask.And(m, ExampleMask.Unpack(a.Mask!, r.Examples)));
        var apgd = r.Attacks.Single(a => a.Attack.Name == "APGD-CE-adaptive");
        Assert.Equal(beforeApgd.Count(x => x), apgd.Attempted);
        Assert.Equal(r.Examples, r.Attacks.Single(a => a.Attack.Name == "PGD-10").Attempted);
        Assert.DoesNotContain(r.Flags, x => x.Code == MaskingChecks.ZeroInputGradient);
    }

    void Log(SuiteResult r)
    {
        output.WriteLine($"clean {r.CleanAccuracy:0.000}, zero-gradient images {r.ZeroGradientFraction:0.000}");
        foreach (var a in r.Attacks)
            output.WriteLine($"{a.Attack.Name}: {a.Accuracy:0.000} (attempted {a.Attempted}, {a.Seconds:0.00} s)");
        foreach (var w in r.WorstCases)
            output.WriteLine($"worst case at {w.Epsilon}: {w.Accuracy:0.000} over {string.Join(", ", w.Attacks)}");
        foreach (var flag in r.Flags)
            output.WriteLine($"FLAG {flag.Code}: {flag.Message}");
    }
}
