using StableSnn.Grains.Model;
using StableSnn.Grains.Policy;

namespace StableSnn.Grains.Tests.Policy;

public class GridExpansionTests
{
    [Fact]
    public void CountIsTheProductOfAxisLengthsAndMatchesExpand()
    {
        var spec = PolicySpecs.Valid();
        Assert.Equal(2 * 2 * 2 * 2 * 3 * 3, GridExpansion.Count(spec));
        Assert.Equal(GridExpansion.Count(spec), GridExpansion.Expand(spec).LongCount());
    }

    [Fact]
    public void AtComputesThePointExpandYieldsAtThatIndex()
    {
        var spec = PolicySpecs.Valid();
        var all = GridExpansion.Expand(spec).ToList();
        Assert.Equal(all, Enumerable.Range(0, all.Count).Select(i => GridExpansion.At(spec, i)));
        Assert.Equal(all, GridExpansion.Lazy(spec));
        Assert.Throws<ArgumentOutOfRangeException>(() => GridExpansion.At(spec, all.Count));
        Assert.Throws<ArgumentOutOfRangeException>(() => GridExpansion.At(spec, -1));
    }

    [Fact]
    public void EmptyAxisGivesAnEmptyGrid()
    {
        var spec = PolicySpecs.Valid() with { Seeds = [] };
        Assert.Equal(0, GridExpansion.Count(spec));
        Assert.Empty(GridExpansion.Expand(spec));
    }

    [Fact]
    public void CountSaturatesInsteadOfOverflowing() =>
        Assert.Equal(long.MaxValue, GridExpansion.Count(SweepValidationTests.HugeSpec()));

    [Fact]
    public void OrderNestsDatasetsArchitecturesNeuronsModesAlphasSeeds()
    {
        var spec = new SweepSpec
        {
            Name = "s", Datasets = ["mnist", "cifar10"], Architectures = ["vgg5", "small-cnn"], Neurons = ["dlif", "lif"],
            Modes = ["raw", "at"], Alphas = [0.5, 0], Seeds = [7, 3],
        };
        var points = GridExpansion.Expand(spec).ToList();
        Assert.Equal(new GridPoint("mnist", "vgg5", "dlif", "raw", 0.5, 7), points[0]);
        Assert.Equal(new GridPoint("mnist", "vgg5", "dlif", "raw", 0.5, 3), points[1]);  // seeds vary fastest
        Assert.Equal(new GridPoint("mnist", "vgg5", "dlif", "raw", 0, 7), points[2]);    // then alphas
        Assert.Equal(new GridPoint("mnist", "vgg5", "dlif", "at", 0.5, 7), points[4]);   // then modes
        Assert.Equal(new GridPoint("mnist", "vgg5", "lif", "raw", 0.5, 7), points[8]);   // then neurons
        Assert.Equal(new GridPoint("mnist", "small-cnn", "dlif", "raw", 0.5, 7), points[16]);
        Assert.Equal(new GridPoint("cifar10", "vgg5", "dlif", "raw", 0.5, 7), points[32]);
        Assert.Equal(new GridPoint("cifar10", "small-cnn", "lif", "at", 0, 3), points[^1]);
        Assert.Equal(points, GridExpansion.Expand(spec).ToList()); // deterministic
    }

    [Fact]
    public void KeysOfAValidSpecAreUnique()
    {
        var spec = PolicySpecs.Valid() with { Alphas = [0, 1e-3, 0.1, 0.30000000000000004, 0.3, 1, 1e-17] };
        Assert.Empty(SweepValidation.Validate(spec, 100_000));
        var keys = GridExpansion.Expand(spec).Select(p => p.ExperimentKey(spec.Name)).ToList();
        Assert.Equal(GridExpansion.Count(spec), keys.Count);
        Assert.Equal(keys.Count, keys.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains("fmnist-rho-2/fashion-mnist/small-cnn/lif/at/a0.30000000000000004/s1", keys);
        Assert.Contains("fmnist-rho-2/fashion-mnist/small-cnn/lif/at/a0.3/s1", keys);
    }

    [Fact]
    public void AlphasThatWouldCollideAreCaughtByValidation()
    {
        // Same double, so Expand would give the same keys twice: validation is the guard.
        var spec = PolicySpecs.Valid() with { Alphas = [0.1, 0.10000000000000001] };
        Assert.NotEmpty(SweepValidation.Validate(spec, 100_000));
        var keys = GridExpansion.Expand(spec).Select(p => p.ExperimentKey(spec.Name)).ToList();
        Assert.NotEqual(keys.Count, keys.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void NegativeZeroAlphaGivesThePlainZeroKey()
    {
        var spec = PolicySpecs.Valid() with { Alphas = [-0.0] };
        Assert.Empty(SweepValidation.Validate(spec, 100_000));
        Assert.All(GridExpansion.Expand(spec), p => Assert.Contains("/a0/", p.ExperimentKey(spec.Name)));
    }
}
