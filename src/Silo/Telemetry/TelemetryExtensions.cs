using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Orleans.Dashboard;
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

    /// <summary>
    /// Production log levels: the engine and Orleans' lifecycle at Information; per-call chatter (Polly lines on every
    /// grain placement, the options dump at start, a request line per scrape and probe) at Warning. A default, not a
    /// rule: <c>Logging__LogLevel__Polly=Information</c> (any configuration source) still wins.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string?> LogLevelDefaults = new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Polly"] = "Warning",
        ["Logging:LogLevel:Orleans.Runtime.SiloOptionsLogger"] = "Warning",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        // Its first check after start measures from an unset time ("has not completed for 03:35:25"): noise, not a stall.
        ["Logging:LogLevel:Orleans.Runtime.Watchdog"] = "Error",
    };

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

    /// <summary>
    /// The Orleans Dashboard when <see cref="OperatorDashboardOptions.Enabled"/>: its services on the silo, its port added
    /// to the HTTP listeners (returned); <see cref="MapStableSnnEndpoints"/> maps it on that port only.
    /// </summary>
    public static string AddStableSnnDashboard(this WebApplicationBuilder builder, OperatorDashboardOptions dashboard, string urls)
    {
        builder.Services.AddSingleton(dashboard.Validate());
        if (!dashboard.Enabled) return urls;
        builder.UseOrleans(silo => silo.AddDashboard());
        return $"{urls};http://+:{dashboard.Port}";
    }

    /// <summary>/metrics (Prometheus text format); liveness (the process answers); startup and readiness (the silo is active).</summary>
    public static WebApplication MapStableSnnEndpoints(this WebApplication app)
    {
        app.UseOpenTelemetryPrometheusScrapingEndpoint(MetricsPath);
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks(StartupPath, new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag) });
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag) });
        // Only on its own port: the metrics port stays what Prometheus and the probes need.
        if (app.Services.GetService<OperatorDashboardOptions>() is { Enabled: true } dashboard)
            app.MapOrleansDashboard().RequireHost($"*:{dashboard.Port}");
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
