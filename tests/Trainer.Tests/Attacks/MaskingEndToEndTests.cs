using StableSnn.Contracts;
using StableSnn.Trainer.Attacks;
using Xunit.Abstractions;

namespace StableSnn.Trainer.Tests.Attacks;

/// <summary>The evaluator flags a gradient-masking model and stays quiet on the normally trained one.</summary>
[Collection(AttackCollection.Name)]
public sealed class MaskingEndToEndTests(AttackFixture f, ITestOutputHelper output)
{
    private static IReadOnlyList<AttackConfig> Suite =>
        [.. AttackSuites.Quick, .. AttackSuites.EpsilonCurve([8, 16, 32, 64])];

    [Fact]
    public void QuietOnTrainedModel()
    {
        var r = RobustnessEvaluator.Run(f.Model, Suite, f.Images, f.Labels, batchSize: 64, seed: 42);
        Log(r);
        Assert.Empty(r.Flags);
        Assert.False(r.Suspect);
        var sanity = Assert.Single(r.Attacks, a => a.Sanity);
        Assert.True(sanity.Accuracy <= 1.0 / AttackFixture.Classes);
    }

    [Fact]
    public void FlagsRoundingModel()
    {
        var r = RobustnessEvaluator.Run(f.Masked, Suite, f.Images, f.Labels, batchSize: 64, seed: 42);
        Log(r);
        Assert.True(r.Suspect);
        Assert.Contains(r.Flags, x => x.Code == MaskingChecks.LargeEpsilonNotChance);
        // Zero input gradients: FGSM cannot move the quantised model at all.
        var fgsm = Assert.Single(r.Attacks, a => a.Attack.Kind == AttackKind.Fgsm);
        Assert.Equal(r.CleanAccuracy, fgsm.Accuracy);
    }

    private void Log(SuiteResult r)
    {
        output.WriteLine($"clean {r.CleanAccuracy:0.000}");
        foreach (var a in r.Attacks)
            output.WriteLine($"{a.Attack.Name}: {a.Accuracy:0.000} ({a.Seconds:0.00} s)");
        foreach (var flag in r.Flags)
            output.WriteLine($"FLAG {flag.Code}: {flag.Message}");
    }
}
