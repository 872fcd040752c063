using StableSnn.Contracts;
using StableSnn.Trainer.Attacks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Tests.Attacks;

[Collection(AttackCollection.Name)]
public sealed class SquareAttackTests(AttackFixture f)
{
    private const float Eps = 8f / 255f;

    /// <summary>Two-class linear model on flattened 1x8x8 images.</summary>
    private sealed class LinearModel : nn.Module<Tensor, Tensor>
    {
        private readonly Linear fc = nn.Linear(64, 2);

        public LinearModel(Tensor weight, Tensor bias) : base(nameof(LinearModel))
        {
            RegisterComponents();
            using var noGrad = no_grad();
            fc.weight!.copy_(weight);
            fc.bias!.copy_(bias);
        }

        public override Tensor forward(Tensor x) => fc.call(x.flatten(1));
    }

    /// <summary>Passes through to a model; records the batch size of every query and the most tensors alive at one.</summary>
    private sealed class CountingModel(nn.Module<Tensor, Tensor> inner) : nn.Module<Tensor, Tensor>(nameof(CountingModel))
    {
        public List<long> Batches { get; } = [];
        public long PeakLive { get; private set; }

        public override Tensor forward(Tensor x)
        {
            Batches.Add(x.shape[0]);
            PeakLive = Math.Max(PeakLive, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            return inner.call(x);
        }
    }

    [Fact]
    public void ReachesTheAnalyticRobustAccuracyOfALinearModel()
    {
        using var scope = NewDisposeScope();
        using var gen = new Generator(17);
        const double eps = 0.01;
        var weight = randn([2, 64], generator: gen);
        // Bias centres the decision boundary on the grey image, so margins spread around zero.
        var bias = -0.5 * weight.sum(1);
        var images = 0.35 + 0.3 * rand([400, 1, 8, 8], generator: gen);
        using var model = new LinearModel(weight, bias);
        var logits = model.call(images).detach();
        var labels = logits.argmax(1);
        // Two classes: the worst case in the eps ball (the [0,1] box never binds: pixels stay in [0.34, 0.66])
        // lowers the margin |z0 - z1| by exactly eps * ||w0 - w1||_1, so robust <=> margin > that.
        var margin = (logits[.., 0] - logits[.., 1]).abs().to(ScalarType.Float64);
        var budget = eps * (weight[0] - weight[1]).abs().sum().to(ScalarType.Float64);
        var ratio = margin / budget;
        // Keep examples clear of the boundary so float rounding cannot decide them.
        var keep = ((ratio < 0.8) | (ratio > 1.25)).nonzero().squeeze(1);
        images = images.index_select(0, keep);
        labels = labels.index_select(0, keep);
        var robust = (ratio.index_select(0, keep) > 1).to(ScalarType.Float64).mean().item<double>();
        Assert.InRange(robust, 0.2, 0.8);

        var adv = new SquareAttack((float)eps, 500).Perturb(model, images, labels, seeds: 3);
        Assert.Equal(robust, AttackFixture.Accuracy(model, adv, labels), 9);
        Assert.True((adv - images).abs().max().item<float>() <= eps + 1e-6);
    }

    [Fact]
    public void StaysInTheEpsBallAndPixelRange()
    {
        using var scope = NewDisposeScope();
        // Pixels near 0 and 1 make the box bind.
        var images = torch.cat([f.Images, torch.zeros(4, 1, 8, 8), torch.ones(4, 1, 8, 8)], 0);
        var labels = torch.cat([f.Labels, torch.zeros(8, dtype: ScalarType.Int64)], 0);
        var attack = new SquareAttack(Eps, 200);
        var adv = attack.Perturb(f.Model, images, labels, seeds: 11);
        Assert.Equal(images.shape, adv.shape);
        Assert.Equal(images.dtype, adv.dtype);
        Assert.True((adv - images).abs().max().item<float>() <= Eps + 1e-6f);
        Assert.True(adv.min().item<float>() >= 0f);
        Assert.True(adv.max().item<float>() <= 1f);
        Assert.True(AttackFixture.Accuracy(f.Model, adv, labels) < AttackFixture.Accuracy(f.Model, images, labels));
    }

    [Fact]
    public void SameSeedSameOutputOtherSeedOtherOutput()
    {
        using var scope = NewDisposeScope();
        var attack = new SquareAttack(Eps, 50);
        var a = attack.Perturb(f.Model, f.Images, f.Labels, seeds: 5);
        var b = attack.Perturb(f.Model, f.Images, f.Labels, seeds: 5);
        var c = attack.Perturb(f.Model, f.Images, f.Labels, seeds: 6);
        Assert.True(AttackFixture.Same(a, b));
        Assert.False(AttackFixture.Same(a, c));
    }

    [Fact]
    public void FoolsAModelWithZeroGradientsWherePgdCannot()
    {
        using var scope = NewDisposeScope();
        // At 8/255 only pixels within eps of a rounding boundary (0.125, 0.375, 0.625) can change the model's input.
        const float eps = Eps;
        var clean = AttackFixture.Accuracy(f.Masked, f.Images, f.Labels);
        var pgd = new Pgd(eps, 20, eps / 4, randomStart: false).Perturb(f.Masked, f.Images, f.Labels, seeds: 1);
        Assert.True(AttackFixture.Same(pgd, f.Images), "round() has zero gradient: PGD should not move");
        var square = new SquareAttack(eps, 300).Perturb(f.Masked, f.Images, f.Labels, seeds: 1);
        var robust = AttackFixture.Accuracy(f.Masked, square, f.Labels);
        Assert.True(robust < clean - 0.2, $"Square left accuracy at {robust:P1} (clean {clean:P1})");
    }

    [Fact]
    public void QueriesOnlyExamplesNotYetFooledAndStopsWhenAllAre()
    {
        using var scope = NewDisposeScope();
        using var model = new CountingModel(f.Model);
        var adv = new SquareAttack(0.3f, 1000).Perturb(model, f.Images, f.Labels, seeds: 2);
        Assert.Equal(0.0, AttackFixture.Accuracy(f.Model, adv, f.Labels));
        // Clean and stripe start query everyone; then the batch only shrinks, and the loop ends early.
        Assert.Equal([f.Images.shape[0], f.Images.shape[0]], model.Batches.Take(2));
        var later = model.Batches.Skip(2).ToList();
        Assert.True(later.Count < 1000);
        Assert.True(later.Zip(later.Skip(1)).All(p => p.Second <= p.First));
        Assert.True(later[0] < f.Images.shape[0]);
    }

    [Fact]
    public void LiveTensorsDoNotGrowWithTheBudget()
    {
        long Peak(int queries)
        {
            using var scope = NewDisposeScope();
            // A tiny eps fools nobody, so every iteration queries the whole batch.
            using var model = new CountingModel(f.Model);
            new SquareAttack(1e-4f, queries).Perturb(model, f.Images, f.Labels, seeds: 1);
            Assert.Equal(queries + 2, model.Batches.Count);
            return model.PeakLive;
        }
        Assert.Equal(Peak(10), Peak(200));
    }

    [Fact]
    public void ScheduleHalvesTheSquareAtTheReferencesRescaledIterations()
    {
        // Budget 10,000: halvings after iterations 10, 50, ..., 8000.
        Assert.Equal(0.3, SquareAttack.Fraction(0.3, 10, 10000));
        Assert.Equal(0.15, SquareAttack.Fraction(0.3, 11, 10000));
        Assert.Equal(0.3 / 512, SquareAttack.Fraction(0.3, 9999, 10000));
        // Budget 1,000: iteration i counts as 10 i.
        Assert.Equal(0.3, SquareAttack.Fraction(0.3, 1, 1000));
        Assert.Equal(0.15, SquareAttack.Fraction(0.3, 2, 1000));
        Assert.Equal(0.075, SquareAttack.Fraction(0.3, 6, 1000));
        // Side = round(sqrt(p h w)) within [1, side - 1]: sqrt(19.2) = 4.38; sqrt(627.2) = 25.04.
        Assert.Equal(4, SquareAttack.Side(0.3, 8, 8));
        Assert.Equal(25, SquareAttack.Side(0.8, 28, 28));
        Assert.Equal(7, SquareAttack.Side(1.0, 8, 8));
        Assert.Equal(1, SquareAttack.Side(0.001, 8, 8));
    }

    [Fact]
    public void AtFiveThousandQueriesTheScheduleIsAutoAttacksUnrescaled()
    {
        // AutoAttack runs Square with p_init 0.8, 5,000 queries and resc_schedule=False: p_selection(it) on it itself,
        // p = 0.8 up to iteration 10, then halved after 10, 50, 200, 500, 1000, 2000 and 4000 (never reaching 6000).
        (int Iteration, double P)[] reference =
        [
            (0, 0.8), (10, 0.8), (11, 0.4), (50, 0.4), (51, 0.2), (200, 0.2), (201, 0.1), (500, 0.1), (501, 0.05),
            (1000, 0.05), (1001, 0.025), (2000, 0.025), (2001, 0.0125), (4000, 0.0125), (4001, 0.00625), (4999, 0.00625),
        ];
        foreach (var (iteration, p) in reference)
            Assert.Equal(p, SquareAttack.Fraction(0.8, iteration, 5000, rescale: false), 12);
        // Rescaled, the same budget would already be at 0.8 / 256 by its last iteration (9998 > 8000 on 10,000).
        Assert.Equal(0.8 / 512, SquareAttack.Fraction(0.8, 4999, 5000, rescale: true), 12);
        // Squares on 28 x 28: round(sqrt(p 784)): 25, 18, 13, 9, 6, 4, 3, 2 pixels.
        Assert.Equal([25, 18, 13, 9, 6, 4, 3, 2], reference.Where((_, i) => i % 2 == 0).Select(r => SquareAttack.Side(r.P, 28, 28)));
        var built = Assert.IsType<SquareAttack>(AttackFactory.Create(AttackSuites.Square8()));
        Assert.Equal((5000, 0.8f, false), (built.Queries, built.PInit, built.RescaleSchedule));
    }

    [Fact]
    public void FactoryBuildsSquareFromStepsAndPInit()
    {
        var attack = AttackFactory.Create(new AttackConfig("Square-100", AttackKind.Square, Eps, Steps: 100, PInit: 0.8f));
        var square = Assert.IsType<SquareAttack>(attack);
        Assert.Equal(100, square.Queries);
        Assert.Equal(0.8f, square.PInit);
        Assert.Equal("Square-100", square.Name);
        Assert.Equal(Eps, square.Epsilon);
    }
}
