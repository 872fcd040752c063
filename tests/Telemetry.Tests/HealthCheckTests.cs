using Microsoft.Extensions.Diagnostics.HealthChecks;
using StableSnn.Silo.Telemetry;

namespace StableSnn.Telemetry.Tests;

public sealed class HealthCheckTests
{
    [Fact]
    public async Task Readiness_is_unhealthy_until_the_silo_is_active()
    {
        var check = new SiloStartedHealthCheck();
        var result = await check.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.False(check.IsActive);
    }
}
