using StableSnn.Contracts;
using StableSnn.Trainer.Attacks;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Tests.Attacks;

/// <summary>
/// The reliable suite's headline (per-example worst case) and its checks: on a spiking model whose training surrogate
/// masks the gradient by construction (the adaptive backward sees through it), on a model that masks every gradient
/// (rounding: only Square moves it), and the per-example independence of every adaptive attack.
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
        AttackSuites.ApgdCeAdaptive(10) with { Epsilon = Eps },
        AttackSuites.ApgdTAdaptive(10, 3) with { Epsilon = Eps },
        AttackSuites.Square8(300, rescale: true) with { Name = "Square", Epsilon = Eps },
    ];

    [Fact]
    public void A_model_masked_for_the_training_surrogate_is_broken_by_the_adaptive_backward_and_not_suspect()
    {
        using var normal = TinySnn.Trained(f.TrainImages, f.TrainLabels, AttackFixture.Classes, seed: 5);
        using var masked = normal.Rescaled(Scale);
        using (no_grad())
            Assert.True(AttackFixture.Same(normal.call(f.Images), masked.call(f.Images)), "rescaling must not change the function");

        var r = RobustnessEvaluator.Run(masked, Suite, f.Images, f.Labels, batchSize: 64, seed: 7);
        Log(r);
        var pgd = r.Attacks.Single(a => a.Attack.Name == "PGD-10");
        var apgd = r.Attacks.Single(a => a.Attack.Name == "APGD-CE-adaptive");
        var worst = r.Headline!;
        Assert.True(r.CleanAccuracy > 0.8, $"the spiking model should have learnt the task (clean {r.CleanAccuracy})");
        Assert.True(pgd.Accuracy >= r.CleanAccuracy - 0.05, $"PGD through the training surrogate should stay near clean: {pgd.Accuracy} vs {r.CleanAccuracy}");
        Assert.True(apgd.Accuracy <= pgd.Accuracy - 0.2, $"the adaptive backward should break what PGD cannot: {apgd.Accuracy} vs {pgd.Accuracy}");
        Assert.True(worst.Accuracy <= pgd.Accuracy - 0.2, $"the worst case should be clearly below PGD: {worst.Accuracy} vs {pgd.Accuracy}");
        // The paper's attacks overstate, the training surrogate's gradient is zero: findings about them, not doubts
        // about the headline, because Square does not beat the adaptive attacks beyond noise.
        Assert.Contains(r.Flags, x => x is { Code: MaskingChecks.StandardOverstates, Informative: true });
        Assert.Contains(r.Flags, x => x is { Code: MaskingChecks.ZeroInputGradient, Informative: true });
        Assert.DoesNotContain(r.Flags, x => x.Code == MaskingChecks.GradientMaskingSuspected);
        Assert.False(r.Suspect);
        Assert.True(r.ZeroGradientFraction > 0.5, $"most images should have a zero gradient, got {r.ZeroGradientFraction}");
        Assert.Contains("PGD-10", r.Unreliable);
        Assert.Contains("FGSM", r.Unreliable);
        Assert.DoesNotContain("APGD-CE-adaptive", r.Unreliable);
        Assert.DoesNotContain("Square", r.Unreliable);

        // The adaptive backward scales with the membrane: on the unscaled twin the worst case is about the same.
        var plain = RobustnessEvaluator.Run(normal, Suite, f.Images, f.Labels, batchSize: 64, seed: 7);
        Assert.True(Math.Abs(plain.Headline!.Accuracy - worst.Accuracy) <= 0.05, $"worst case {worst.Accuracy} masked vs {plain.Headline.Accuracy} plain");
    }

    [Fact]
    public void The_constructed_masked_model_is_flagged_gradient_masking_suspected()
    {
        // Rounding the input zeroes every gradient, adaptive or not: only Square moves it.
        var r = RobustnessEvaluator.Run(f.Masked, Suite, f.Images, f.Labels, batchSize: 64, seed: 7);
        Log(r);
        var flag = Assert.Single(r.Flags, x => x.Code == MaskingChecks.GradientMaskingSuspected);
        Assert.False(flag.Informative);
        Assert.Contains("McNemar p", flag.Message);
        Assert.True(r.Suspect);
        Assert.Contains(r.Flags, x => x.Code == MaskingChecks.LargeEpsilonNotChance);
        foreach (var name in new[] { "FGSM", "PGD-10", "APGD-CE-adaptive", "APGD-T-adaptive" }) Assert.Contains(name, r.Unreliable);
        Assert.DoesNotContain("Square", r.Unreliable);
    }

    [Fact]
    public void Every_adaptive_attack_gives_an_image_the_same_result_whatever_its_batch_mates()
    {
        using var model = TinySnn.Trained(f.TrainImages, f.TrainLabels, AttackFixture.Classes, seed: 5);
        IReadOnlyList<AttackConfig> suite =
        [
            new("PGD-3", AttackKind.Pgd, Eps, Steps: 3, StepSize: Eps / 2, RandomStart: true),
            AttackSuites.ApgdCeAdaptive(10) with { Epsilon = Eps },
            AttackSuites.ApgdTAdaptive(10, 3) with { Epsilon = Eps },
            new("PGD-adaptive-stable", AttackKind.Apgd, Eps, Steps: 10, RandomStart: true, Surrogate: AttackSuites.Adaptive) { Step = StepRule.Stable },
        ];
        var small = RobustnessEvaluator.Run(model, suite, f.Images, f.Labels, batchSize: 7, seed: 3);
        var large = RobustnessEvaluator.Run(model, suite, f.Images, f.Labels, batchSize: 64, seed: 3);
        Log(large);
        // The sanity attack (eps 1) runs through the adaptive backward too.
        Assert.All(large.Attacks, a => Assert.Equal(a.Mask, small.Attacks.Single(b => b.Attack.Name == a.Attack.Name).Mask));
        Assert.All(large.Attacks.Where(a => a.Attack.Surrogate is not null && !a.Sanity),
            a => Assert.True(a.Correct < large.CleanCorrect - 5, $"{a.Attack.Name} broke too little for the comparison to say much"));

        // Inside a cascade: after FGSM, or after PGD-3, APGD attacks different sets of images; where both attacked the
        // same image its result must be the same.
        var cascade = AttackSuites.ApgdCeAdaptive(10) with { Epsilon = Eps };
        var afterFgsm = RobustnessEvaluator.Run(model, [new("FGSM", AttackKind.Fgsm, Eps), cascade], f.Images, f.Labels, batchSize: 64, seed: 3);
        var afterPgd = RobustnessEvaluator.Run(model, [suite[0], cascade], f.Images, f.Labels, batchSize: 64, seed: 3);
        bool[] Mask(SuiteResult r, int i) => ExampleMask.Unpack(r.Attacks[i].Mask!, r.Examples);
        var clean = ExampleMask.Unpack(afterFgsm.CleanMask!, afterFgsm.Examples);
        var both = ExampleMask.And(ExampleMask.And(clean, Mask(afterFgsm, 0)), Mask(afterPgd, 0));
        Assert.NotEqual(Mask(afterFgsm, 0), Mask(afterPgd, 0));
        Assert.True(both.Count(x => x) >= 20, "too few images attacked in both cascades");
        var broken = 0;
        for (var i = 0; i < both.Length; i++)
        {
            if (!both[i]) continue;
            Assert.Equal(Mask(afterFgsm, 1)[i], Mask(afterPgd, 1)[i]);
            if (!Mask(afterFgsm, 1)[i]) broken++;
        }
        Assert.True(broken > 0, "APGD should break some of the images both cascades gave it");
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
        var beforeApgd = r.Attacks.TakeWhile(a => a.Attack.Name != "APGD-CE-adaptive")
            .Aggregate(ExampleMask.Unpack(r.CleanMask!, r.Examples), (m, a) => ExampleMask.And(m, ExampleMask.Unpack(a.Mask!, r.Examples)));
        var apgd = r.Attacks.Single(a => a.Attack.Name == "APGD-CE-adaptive");
        // Square runs on every image (the masking check compares it with the gradient attacks), the cascade on survivors.
        Assert.Equal(r.Examples, r.Attacks.Single(a => a.Attack.Name == "Square").Attempted);
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
