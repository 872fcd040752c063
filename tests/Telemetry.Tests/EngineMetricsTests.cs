using Microsoft.Extensions.Diagnostics.HealthChecks;
using StableSnn.Grains.Model;
using StableSnn.Grains.Telemetry;
using StableSnn.Silo.Telemetry;

namespace StableSnn.Telemetry.Tests;

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
            [0] = Outcome(0.8, 0.4), [1] = Outcome(0.6, 0.2, "fgsm_close_to_pgd"), [2] = Outcome(0.9, 0.5),
        };
        var result = EngineMetrics.Aggregate(Points,
            Phases(ExperimentPhase.Completed, ExperimentPhase.Completed, ExperimentPhase.Completed, ExperimentPhase.Training),
            outcomes);

        // Alpha 1.0 still has a seed training: not published yet.
        Assert.All(result, a => Assert.Equal(0.5, a.Point.Alpha));
        var clean = Assert.Single(result, a => a.Attack == "none");
        Assert.Equal(0.7, clean.Value, 10);
        Assert.True(clean.MaskingSuspect);
        var pgd = Assert.Single(result, a => a.Attack == "PGD-7@0.0314");
        Assert.Equal(0.3, pgd.Value, 10);
    }

    [Fact]
    public void A_grid_point_whose_seeds_all_failed_has_no_accuracy()
    {
        var result = EngineMetrics.Aggregate(Points,
            Phases(ExperimentPhase.Failed, ExperimentPhase.Failed, ExperimentPhase.Completed, ExperimentPhase.Failed),
            new Dictionary<int, ExperimentOutcome> { [2] = Outcome(0.9, 0.5) });

        Assert.All(result, a => Assert.Equal(1.0, a.Point.Alpha));
        Assert.Equal(0.9, Assert.Single(result, a => a.Attack == "none").Value, 10);
        Assert.False(result[0].MaskingSuspect);
    }

    [Fact]
    public async Task Readiness_is_unhealthy_until_the_silo_is_active()
    {
        var check = new SiloStartedHealthCheck();
        var result = await check.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.False(check.IsActive);
    }

    [Theory]
    [InlineData(ExitReason.Crash, "crash")]
    [InlineData(ExitReason.BadInput, "bad_input")]
    [InlineData(ExitReason.LeaseExpired, "lease_expired")]
    public void Reason_labels_are_snake_case(ExitReason reason, string label) => Assert.Equal(label, EngineMetrics.ReasonLabel(reason));
}
