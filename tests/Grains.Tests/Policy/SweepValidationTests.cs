using StableSnn.Grains.Model;
using StableSnn.Grains.Policy;

namespace StableSnn.Grains.Tests.Policy;

public class SweepValidationTests
{
    private const int Limit = 10_000;

    private static IReadOnlyList<string> Errors(SweepSpec spec, int limit = Limit) => SweepValidation.Validate(spec, limit);

    private static string Single(SweepSpec spec, int limit = Limit) => Assert.Single(Errors(spec, limit));

    [Fact]
    public void ValidSpecHasNoErrors()
    {
        Assert.Empty(Errors(PolicySpecs.Valid()));
        // Defaults plus the three axes without defaults are enough.
        Assert.Empty(Errors(new SweepSpec { Name = "a", Datasets = ["mnist"], Architectures = ["wrn16"], Alphas = [0] }));
    }

    [Theory]
    [InlineData("a")]
    [InlineData("sweep-1")]
    [InlineData("0abc9")]
    [InlineData("a23456789012345678901234567890123456789012345678901234567890123")] // 63 characters
    public void AcceptsGoodNames(string name) => Assert.Empty(Errors(PolicySpecs.Valid() with { Name = name }));

    [Theory]
    [InlineData("", "name: is empty")]
    [InlineData("Sweep", "'S'")]
    [InlineData("my_sweep", "'_'")]
    [InlineData("a b", "' '")]
    [InlineData("-sweep", "starts or ends with '-'")]
    [InlineData("sweep-", "starts or ends with '-'")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234", "64 characters")]
    public void RejectsBadNames(string name, string expected)
    {
        var error = Single(PolicySpecs.Valid() with { Name = name });
        Assert.StartsWith("name: ", error);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void EveryAxisMustBeNonEmpty()
    {
        var spec = PolicySpecs.Valid() with { Datasets = [], Architectures = [], Alphas = [], Neurons = [], Modes = [], Seeds = [] };
        var errors = Errors(spec);
        foreach (var field in new[] { "datasets", "architectures", "alphas", "neurons", "modes", "seeds" })
            Assert.Contains(errors, e => e.StartsWith(field + ": is empty", StringComparison.Ordinal));
        Assert.Equal(6, errors.Count); // an empty grid is not also reported as a size problem
    }

    [Fact]
    public void UnknownValuesAreNamedWithTheKnownOnes()
    {
        var errors = Errors(PolicySpecs.Valid() with
        {
            Datasets = ["mnist", "svhn"], Architectures = ["resnet50"], Neurons = ["alif"], Modes = ["fgsm"],
        });
        Assert.Contains("datasets: 'svhn' is not a known dataset; use one of fashion-mnist, mnist, cifar10, cifar100", errors);
        Assert.Contains("architectures: 'resnet50' is not a known architecture; use one of small-cnn, vgg5, vgg11, vgg13, vgg16, wrn16", errors);
        Assert.Contains("neurons: 'alif' is not a known neuron; use one of lif, dlif", errors);
        Assert.Contains("modes: 'fgsm' is not a known mode; use one of raw, gaussian, at, at-reg", errors);
        Assert.Equal(4, errors.Count);
    }

    [Fact]
    public void NamesAreCaseSensitive() =>
        Assert.StartsWith("datasets: 'MNIST' is not a known dataset", Single(PolicySpecs.Valid() with { Datasets = ["MNIST"] }));

    [Fact]
    public void DuplicatesWithinAnAxisAreRejectedOnce()
    {
        var errors = Errors(PolicySpecs.Valid() with { Modes = ["at", "raw", "at", "at"], Seeds = [1, 2, 1] });
        Assert.Equal(["modes: 'at' is listed more than once; remove the duplicate", "seeds: 1 is listed more than once; remove the duplicate"], errors);
    }

    [Fact]
    public void AlphasEqualAsDoublesAreDuplicates()
    {
        // 0.10000000000000001 is the literal nearest 0.1's double: the same value, so the same experiment key.
        var error = Single(PolicySpecs.Valid() with { Alphas = [0.1, 0.10000000000000001] });
        Assert.StartsWith("alphas: 0.1 is listed more than once", error);
        Assert.StartsWith("alphas: 0 is listed more than once", Single(PolicySpecs.Valid() with { Alphas = [0.0, -0.0] }));
    }

    [Fact]
    public void AlphasMustBeFiniteAndNonNegative()
    {
        var errors = Errors(PolicySpecs.Valid() with { Alphas = [0, -0.5, double.NaN, double.PositiveInfinity] });
        Assert.Equal(3, errors.Count);
        Assert.Contains("alphas: -0.5 is negative; the regularisation weight must be >= 0", errors);
        Assert.Contains(errors, e => e.StartsWith("alphas: NaN is not a finite number", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("alphas: Infinity is not a finite number", StringComparison.Ordinal));
    }

    [Fact]
    public void SeedsMustBeNonNegative() =>
        Assert.Equal("seeds: -1 is negative; use seeds >= 0", Single(PolicySpecs.Valid() with { Seeds = [0, -1] }));

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void EpochsMustBeAtLeastOne(int epochs) =>
        Assert.Equal($"epochs: {epochs} must be at least 1", Single(PolicySpecs.Valid() with { Epochs = epochs }));

    [Theory]
    [InlineData("standard")]
    [InlineData("quick")]
    [InlineData("epsilon-curve")]
    [InlineData("standard+curve")]
    [InlineData("none")]
    [InlineData("suites/custom.json")]
    public void KnownAttackSuitesAndJsonFilesAreAccepted(string suite) =>
        Assert.Empty(Errors(PolicySpecs.Valid() with { AttackSuite = suite }));

    [Theory]
    [InlineData("strong")]
    [InlineData("")]
    [InlineData(".json")]
    [InlineData("suite.yaml")]
    public void UnknownAttackSuitesAreRejected(string suite) =>
        Assert.StartsWith("attackSuite: ", Single(PolicySpecs.Valid() with { AttackSuite = suite }));

    [Fact]
    public void TrainingNumbersMustBePositiveWhenSet()
    {
        var spec = PolicySpecs.Valid() with
        {
            Training = new TrainingSettings
            {
                DataRoot = " ", BatchSize = 0, LearningRate = -1, TrainSubset = 0, TestSubset = -5,
                ValidationFraction = 1, TimeSteps = 0, AttackSubset = 0,
            },
        };
        var fields = Errors(spec).Select(e => e[..e.IndexOf(':', StringComparison.Ordinal)]).ToArray();
        Assert.Equal(
            ["training.dataRoot", "training.batchSize", "training.learningRate", "training.trainSubset", "training.testSubset",
             "training.validationFraction", "training.timeSteps", "training.attackSubset"], fields);
        Assert.Empty(Errors(PolicySpecs.Valid() with { Training = new TrainingSettings() })); // unset keeps defaults
    }

    [Theory]
    [InlineData(0.0, true)]
    [InlineData(0.99, true)]
    [InlineData(1.0, false)]
    [InlineData(-0.01, false)]
    [InlineData(double.NaN, false)]
    public void ValidationFractionIsInZeroToOne(double fraction, bool ok)
    {
        var errors = Errors(PolicySpecs.Valid() with { Training = new TrainingSettings { ValidationFraction = fraction } });
        Assert.Equal(ok, errors.Count == 0);
    }

    [Fact]
    public void LearningRateMustBeFinite() =>
        Assert.StartsWith("training.learningRate: ", Single(PolicySpecs.Valid() with { Training = new TrainingSettings { LearningRate = double.PositiveInfinity } }));

    [Fact]
    public void SlotKindMustBeKnown()
    {
        var error = Single(PolicySpecs.Valid() with { Resources = new ResourceRequest { SlotKind = "tpu" } });
        Assert.Equal("resources.slotKind: 'tpu' is not a known slot kind; use one of any, gpu, cpu", error);
    }

    [Fact]
    public void MaxConcurrencyMustNotBeNegative()
    {
        Assert.StartsWith("maxConcurrency: -1 is negative", Single(PolicySpecs.Valid() with { MaxConcurrency = -1 }));
        Assert.Empty(Errors(PolicySpecs.Valid() with { MaxConcurrency = 0 }));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(20, true)]
    [InlineData(21, false)]
    public void MaxAttemptsIsOneToTwenty(int attempts, bool ok)
    {
        var errors = Errors(PolicySpecs.Valid() with { MaxAttempts = attempts });
        if (ok) Assert.Empty(errors);
        else Assert.Equal($"maxAttempts: {attempts} must be between 1 and 20", Assert.Single(errors));
    }

    [Fact]
    public void GridLargerThanTheLimitIsRejected()
    {
        Assert.Empty(Errors(PolicySpecs.Valid(), 144));
        Assert.Equal("grid has 144 experiments, more than the limit of 143; split the sweep or raise the limit", Single(PolicySpecs.Valid(), 143));
    }

    [Fact]
    public void HugeGridDoesNotOverflowIntoAcceptance()
    {
        // 2^11 per axis: the true product 2^66 wraps to 0 in 64-bit arithmetic; Count saturates instead.
        var spec = HugeSpec();
        var error = Assert.Single(Errors(spec, int.MaxValue), e => e.StartsWith("grid ", StringComparison.Ordinal));
        Assert.Contains($"at least {long.MaxValue} experiments", error);
    }

    [Fact]
    public void ReportsEveryProblemAtOnce()
    {
        var spec = new SweepSpec
        {
            Name = "Bad_Name", Datasets = ["imagenet"], Architectures = [], Alphas = [-1], Neurons = ["lif", "lif"],
            Modes = ["at"], Seeds = [-2], Epochs = 0, AttackSuite = "all",
            Training = new TrainingSettings { BatchSize = 0 }, Resources = new ResourceRequest { SlotKind = "fpga" },
            MaxConcurrency = -1, MaxAttempts = 0,
        };
        var fields = Errors(spec).Select(e => e[..e.IndexOf(':', StringComparison.Ordinal)]).Distinct().ToArray();
        Assert.Equal(
            ["name", "datasets", "architectures", "alphas", "neurons", "seeds", "epochs", "attackSuite", "training.batchSize",
             "resources.slotKind", "maxConcurrency", "maxAttempts"], fields);
    }

    internal static SweepSpec HugeSpec()
    {
        const int n = 2048;
        return PolicySpecs.Valid() with
        {
            Datasets = Enumerable.Repeat("mnist", n).ToArray(), Architectures = Enumerable.Repeat("vgg5", n).ToArray(),
            Neurons = Enumerable.Repeat("lif", n).ToArray(), Modes = Enumerable.Repeat("at", n).ToArray(),
            Alphas = Enumerable.Range(0, n).Select(i => (double)i).ToArray(), Seeds = Enumerable.Range(0, n).ToArray(),
        };
    }
}
