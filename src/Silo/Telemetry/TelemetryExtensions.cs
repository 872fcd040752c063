using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using StableSnn.Grains.Telemetry;

namespace StableSnn.Silo.Telemetry;

/// <summary>
/// The one place a silo's telemetry is wired: OpenTelemetry metrics of the engine ("StableSnn"), Orleans
/// ("Microsoft.Orleans") and the .NET runtime, exported for Prometheus at /metrics, and the health endpoints.
/// docs/telemetry.md lists the metrics.
/// </summary>
public static class TelemetryExtensions
{
    public const string MetricsPath = "/metrics";
    public const string LivePath = "/health/live", ReadyPath = "/health/ready", StartupPath = "/health/startup";
    const string ReadyTag = "ready";

    public static WebApplicationBuilder AddStableSnnTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("stablesnn-silo"))
            .WithMetrics(metrics => metrics
                .AddMeter(EngineMetrics.MeterName, "Microsoft.Orleans")
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter());
        builder.Services.AddSingleton<SiloStartedHealthCheck>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SiloStartedHealthCheck>());
        builder.Services.AddHealthChecks().AddCheck<SiloStartedHealthCheck>("silo", tags: [ReadyTag]);
        return builder;
    }

    /// <summary>/metrics (Prometheus text format); liveness (the process answers); startup and readiness (the silo is active).</summary>
    public static WebApplication MapStableSnnEndpoints(this WebApplication app)
    {
        app.UseOpenTelemetryPrometheusScrapingEndpoint(MetricsPath);
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks(StartupPath, new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag) });
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag) });
        return app;
    }
}

/// <summary>Healthy from the moment the silo becomes active until it starts stopping.</summary>
public sealed class SiloStartedHealthCheck : IHealthCheck, ILifecycleParticipant<ISiloLifecycle>
{
    volatile bool _active;

    public bool IsActive => _active;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SiloStartedHealthCheck), ServiceLifecycleStage.Active,
            _ => { _active = true; return Task.CompletedTask; },
            _ => { _active = false; return Task.CompletedTask; });

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_active ? HealthCheckResult.Healthy("silo active") : HealthCheckResult.Unhealthy("silo not started (or stopping)"));
}
