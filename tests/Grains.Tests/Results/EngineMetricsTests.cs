using StableSnn.Grains.Model;
using StableSnn.Grains.Results;
using StableSnn.Grains.Telemetry;

namespace StableSnn.Grains.Tests.Results;

/// <summary>The engine's metrics: the accuracy metric is the results table over grid points whose seeds have all ended; labels are stable.</summary>
public sealed class EngineMetricsTests
{
    static readonly GridPoint[] Points =
    [
        new("fmnist", "cnn", "lif", "at", 0.5, 1), new("fmnist", "cnn", "lif", "at", 0.5, 2), // one grid point, two seeds
        new("fmnist", "cnn", "lif", "at", 1.0, 1), new("fmnist", "cnn", "lif", "at", 1.0, 2),
    ];

    static ExperimentOutcome Outcome(double clean, double pgd, params string[] flags) => new()
    {
        CleanAccuracy = clean, Attacks = [new AttackAccuracy("PGD-7", 8 / 255.0, pgd, 100, false)], MaskingFlags = flags,
    };

    static byte[] Phases(params ExperimentPhase[] p) => p.Select(x => (byte)x).ToArray();

    [Fact]
    public void Accuracy_is_the_mean_over_completed_seeds_once_every_seed_has_ended()
    {
        var outcomes = new Dictionary<int, ExperimentOutcome>
        {
            [0] = Outcome(0.8, 0.4), [1] = Outcome(0.6, 0.2, "iterative-weaker-than-fgsm"), [2] = Outcome(0.9, 0.5),
        };
        var result = EngineMetrics.Aggregate(Points,
            Phases(ExperimentPhase.Completed, ExperimentPhase.Completed, ExperimentPhase.Completed, ExperimentPhase.Training),
            outcomes);

        // Alpha 1.0 still has a seed training: not published yet.
        Assert.All(result, a => Assert.Equal(0.5, a.Alpha));
        var clean = Assert.Single(result, a => a.Label == ResultRow.Clean);
        Assert.Equal(0.7, clean.Mean, 10);
        Assert.Equal(1, clean.Flagged);
        var pgd = Assert.Single(result, a => a.Label == "PGD-7@0.0314");
        Assert.Equal(0.3, pgd.Mean, 10);
        Assert.Equal(2, pgd.Count);
    }

    [Fact]
    public void A_grid_point_whose_seeds_all_failed_has_no_accuracy()
    {
        var result = EngineMetrics.Aggregate(Points,
            Phases(ExperimentPhase.Failed, ExperimentPhase.Failed, ExperimentPhase.Completed, ExperimentPhase.Failed),
            new Dictionary<int, ExperimentOutcome> { [2] = Outcome(0.9, 0.5) });

        Assert.All(result, a => Assert.Equal(1.0, a.Alpha));
        Assert.Equal(0.9, Assert.Single(result, a => a.Label == ResultRow.Clean).Mean, 10);
        Assert.Equal(0, result[0].Flagged);
    }

    [Theory]
    [InlineData(ExitReason.Crash, "crash")]
    [InlineData(ExitReason.BadInput, "bad_input")]
    [InlineData(ExitReason.LeaseExpired, "lease_expired")]
    public void Reason_labels_are_snake_case(ExitReason reason, string label) => Assert.Equal(label, EngineMetrics.ReasonLabel(reason));
}
