using Microsoft.Extensions.Diagnostics.HealthChecks;
using StableSnn.Grains.Model;
using StableSnn.Grains.Telemetry;
using StableSnn.Silo.Telemetry;

namespace StableSnn.Telemetry.Tests;

public sealed class EngineMetricsTests
{
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
