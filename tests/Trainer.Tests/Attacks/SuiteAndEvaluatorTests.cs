using StableSnn.Contracts;
using System.Text.Json;
using StableSnn.Trainer.Attacks;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Tests.Attacks;

[Collection(AttackCollection.Name)]
public sealed class SuiteAndEvaluatorTests(AttackFixture f)
{
    /// <summary>Records every report synchronously (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class ListProgress : IProgress<AttackProgress>
    {
        public List<AttackProgress> Reports { get; } = [];
        public void Report(AttackProgress value) => Reports.Add(value);
    }

    [Fact]
    public void SuiteRoundTripsThroughJson()
    {
        List<AttackConfig> suite = [.. AttackSuites.Standard, .. AttackSuites.EpsilonCurve(), AttackSuites.TransferPgd10("ckpt/other.bin")];
        var json = JsonSerializer.Serialize(suite, ContractJson.Options);
        var back = JsonSerializer.Deserialize<List<AttackConfig>>(json, ContractJson.Options);
        Assert.Equal(suite, back);
        Assert.Contains("\"kind\": \"Apgd\"", json);
        Assert.Contains("\"loss\": \"DLR\"", json);
        Assert.Contains("\"sourceCheckpoint\": \"ckpt/other.bin\"", json);
    }

    [Fact]
    public void MinimalJsonUsesDefaults()
    {
        var c = JsonSerializer.Deserialize<AttackConfig>("""{"name":"f","kind":"Fgsm","epsilon":0.5}""", ContractJson.Options)!;
        Assert.Equal(new AttackConfig("f", AttackKind.Fgsm, 0.5f), c);
    }

    [Fact]
    public void SuitesHaveTheDocumentedShape()
    {
        Assert.Equal(["FGSM-8", "PGD-7", "PGD-20", "APGD-CE", "APGD-DLR"], AttackSuites.Quick.Select(c => c.Name));
        Assert.Equal(9, AttackSuites.Standard.Count);
        var curve = AttackSuites.EpsilonCurve();
        Assert.Equal(10, curve.Count);
        Assert.Equal(100f / 255f, curve[^1].Epsilon);
        Assert.All(curve, c => Assert.Equal(c.Epsilon / 4f, c.StepSize));
        Assert.All(curve, c => Assert.True(c.RandomStart && c.Steps == 10 && c.Kind == AttackKind.Pgd));
    }

    [Fact]
    public void FactoryBuildsEveryStandardAttack()
    {
        foreach (var c in AttackSuites.Standard)
        {
            var attack = AttackFactory.Create(c);
            Assert.Equal(c.Name, attack.Name);
            Assert.Equal(c.Kind == AttackKind.Gaussian ? c.Sigma : c.Epsilon, attack.Epsilon);
        }
        var apgd = Assert.IsType<Apgd>(AttackFactory.Create(AttackSuites.ApgdDlr));
        Assert.Equal((10, AttackLoss.DLR, 0.75f, 1), (apgd.Steps, apgd.Loss, apgd.Rho, apgd.Restarts));
    }

    [Fact]
    public void TransferWithoutSourceLoaderThrowsClearly()
    {
        var ex = Assert.Throws<ArgumentException>(() => AttackFactory.Create(AttackSuites.TransferPgd10("other")));
        Assert.Contains("source", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Throws<ArgumentException>(() => AttackFactory.Create(AttackSuites.Pgd10 with { Kind = AttackKind.Transfer }, _ => f.Source));
        var t = Assert.IsType<Transfer>(AttackFactory.Create(AttackSuites.TransferPgd10("other"), _ => f.Source));
        Assert.IsType<Pgd>(t.Inner);
    }

    [Fact]
    public void EvaluatorReportsOneEntryPerAttackWithCountsAndProgress()
    {
        List<AttackConfig> suite = [AttackSuites.Fgsm8, AttackSuites.Pgd7, AttackSuites.Gaussian8, AttackSuites.TransferPgd10("other")];
        var progress = new ListProgress();
        var options = new EvaluatorOptions(SourceModels: name => name == "other" ? f.Source : throw new KeyNotFoundException(name));
        var r = RobustnessEvaluator.Run(f.Model, suite, f.Images, f.Labels, batchSize: 50, seed: 1, progress, options);

        Assert.Equal(128, r.Examples);
        Assert.Equal(AttackFixture.Classes, r.Classes);
        Assert.Equal([.. suite.Select(c => c.Name), "sanity-pgd-eps1"], r.Attacks.Select(a => a.Attack.Name));
        Assert.All(r.Attacks, a => Assert.Equal(128, a.Examples));
        Assert.All(r.Attacks, a => Assert.Equal((double)a.Correct / 128, a.Accuracy));
        Assert.All(r.Attacks, a => Assert.True(a.Seconds >= 0));
        Assert.Equal(AttackFixture.Accuracy(f.Model, f.Images, f.Labels), r.CleanAccuracy, 9);
        Assert.True(r.Attacks[^1].Sanity);
        Assert.DoesNotContain(r.Attacks.Take(suite.Count), a => a.Sanity);

        // 128 examples in batches of 50: 3 batches, for the clean pass and the 5 attacks (a slow machine may add reports
        // of steps inside a batch, every 2 s).
        var batches = progress.Reports.Where(p => p.Iterations == 0).ToList();
        Assert.Equal(6 * 3, batches.Count);
        Assert.Equal(new AttackProgress("clean", 1, 3, 0, 5), batches[0]);
        Assert.Equal(new AttackProgress("sanity-pgd-eps1", 3, 3, 5, 5), batches[^1]);
    }

    [Fact]
    public void EvaluatorIsDeterministicAndResultRoundTrips()
    {
        List<AttackConfig> suite = [AttackSuites.Pgd7, AttackSuites.RFgsm8];
        var options = new EvaluatorOptions(SanityCheck: false);
        var a = RobustnessEvaluator.Run(f.Model, suite, f.Images, f.Labels, 64, seed: 3, options: options);
        var b = RobustnessEvaluator.Run(f.Model, suite, f.Images, f.Labels, 64, seed: 3, options: options);
        Assert.Equal(a.Attacks.Select(x => x.Correct), b.Attacks.Select(x => x.Correct));
        Assert.Equal(2, a.Attacks.Count);

        var json = JsonSerializer.Serialize(a, ContractJson.Options);
        var back = JsonSerializer.Deserialize<SuiteResult>(json, ContractJson.Options)!;
        Assert.Equal(a.Examples, back.Examples);
        Assert.Equal(a.CleanAccuracy, back.CleanAccuracy);
        Assert.Equal(a.Attacks, back.Attacks);
        Assert.Equal(a.Flags, back.Flags);
        Assert.Contains("\"suspect\": false", json);
    }

    /// <summary>Every randomised attack kind, a cascade included, at an eps where each of them breaks something.</summary>
    internal static List<AttackConfig> RandomisedSuite(float eps) =>
    [
        AttackSuites.Pgd7 with { Epsilon = eps, StepSize = eps / 4 }, AttackSuites.RFgsm8 with { Epsilon = eps, StepSize = eps / 2 },
        AttackSuites.Gaussian8 with { Sigma = eps }, AttackSuites.ApgdCe with { Epsilon = eps, Steps = 5, Cascade = true },
        AttackSuites.Square8(queries: 60) with { Epsilon = eps },
    ];

    [Fact]
    public void PerExampleResultsDoNotDependOnTheBatchSize()
    {
        var suite = RandomisedSuite(24f / 255f);
        var small = RobustnessEvaluator.Run(f.Model, suite, f.Images, f.Labels, batchSize: 7, seed: 4);
        var large = RobustnessEvaluator.Run(f.Model, suite, f.Images, f.Labels, batchSize: 64, seed: 4);
        Assert.Equal((7, 64), (small.BatchSize, large.BatchSize));
        Assert.Equal(small.CleanMask, large.CleanMask);
        Assert.Equal(small.Attacks.Select(a => (a.Mask, a.Attempted)), large.Attacks.Select(a => (a.Mask, a.Attempted)));
        // Square in one larger batch of its own: the same results again.
        var queried = RobustnessEvaluator.Run(f.Model, suite, f.Images, f.Labels, batchSize: 7, seed: 4, options: new EvaluatorOptions(QueryBatchSize: 128));
        Assert.Equal(small.Attacks.Select(a => a.Mask), queried.Attacks.Select(a => a.Mask));
        Assert.All(small.Attacks.Where(a => !a.Sanity && a.Attack.Kind != AttackKind.Gaussian),
            a => Assert.True(a.Correct < small.CleanCorrect, $"{a.Attack.Name} broke nothing: the comparison would say little"));
        // And per-example seeds still differ by evaluation seed.
        var other = RobustnessEvaluator.Run(f.Model, suite, f.Images, f.Labels, batchSize: 64, seed: 5);
        Assert.NotEqual(large.Attacks.Select(a => a.Mask), other.Attacks.Select(a => a.Mask));
    }

    [Fact]
    public void MismatchedLabelsAreRejected()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() =>
            RobustnessEvaluator.Run(f.Model, AttackSuites.Quick, f.Images, f.Labels.narrow(0, 0, 10), 32, 0));
    }

    /// <summary>Cancels its token at the first report of an attack batch (after the clean pass).</summary>
    private sealed class CancelOnFirstAttackBatch(CancellationTokenSource cancel) : IProgress<AttackProgress>
    {
        public List<AttackProgress> Reports { get; } = [];
        public void Report(AttackProgress value)
        {
            Reports.Add(value);
            if (value.Attack != "clean") cancel.Cancel();
        }
    }

    [Fact]
    public void CancellationStopsTheSuiteAtTheNextBatch()
    {
        using var scope = NewDisposeScope();
        using var cancel = new CancellationTokenSource();
        var progress = new CancelOnFirstAttackBatch(cancel);
        Assert.Throws<OperationCanceledException>(() =>
            RobustnessEvaluator.Run(f.Model, AttackSuites.Quick, f.Images, f.Labels, batchSize: 32, seed: 0, progress, cancel: cancel.Token));
        // Clean batches, then exactly one attacked batch: nothing ran after the cancellation.
        Assert.Single(progress.Reports, r => r.Attack != "clean");
    }

    /// <summary>Cancels the token at its <paramref name="after"/>-th forward pass: a stop that arrives inside an attack's batch.</summary>
    private sealed class CancelAfterForwards(nn.Module<Tensor, Tensor> inner, CancellationTokenSource cancel, int after)
        : nn.Module<Tensor, Tensor>(nameof(CancelAfterForwards))
    {
        public int Forwards { get; private set; }

        public override Tensor forward(Tensor x)
        {
            if (++Forwards == after) cancel.Cancel();
            return inner.call(x);
        }
    }

    [Theory]
    [InlineData(AttackKind.Square)]
    [InlineData(AttackKind.Apgd)]
    public void CancellationStopsALongAttackInsideItsBatch(AttackKind kind)
    {
        using var scope = NewDisposeScope();
        using var cancel = new CancellationTokenSource();
        // A tiny eps fools nobody, so without the stop every query of the huge budget would run on this one batch.
        var attack = new AttackConfig("long", kind, 1e-5f, Steps: 100_000);
        using var model = new CancelAfterForwards(f.Model, cancel, after: 20);
        Assert.Throws<OperationCanceledException>(() => RobustnessEvaluator.Run(model, [attack], f.Images, f.Labels,
            batchSize: 256, seed: 0, options: new EvaluatorOptions(SanityCheck: false), cancel: cancel.Token));
        Assert.InRange(model.Forwards, 20, 22);
    }

    [Fact]
    public void ALongBatchReportsItsStepsWhileItRuns()
    {
        using var scope = NewDisposeScope();
        var progress = new ListProgress();
        var attack = new AttackConfig("long", AttackKind.Square, 1e-5f, Steps: 50);
        RobustnessEvaluator.Run(f.Model, [attack], f.Images, f.Labels, batchSize: 256, seed: 0, progress,
            new EvaluatorOptions(SanityCheck: false) { ProgressEvery = TimeSpan.Zero });
        var steps = progress.Reports.Where(r => r.Iterations > 0).ToList();
        // Every query of the one batch, while no batch has finished yet; then the batch's own report.
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), steps.Select(r => r.Iteration));
        Assert.All(steps, r => Assert.Equal(("long", 0, 1, 50L), (r.Attack, r.Batch, r.Batches, r.Iterations)));
        Assert.Equal(("long", 1, 1), progress.Reports.Where(r => r.Iterations == 0).Select(r => (r.Attack, r.Batch, r.Batches)).Last());
    }
}
