using Microsoft.Extensions.Configuration.Memory;
using StableSnn.Silo.Network;
using StableSnn.Silo.Nodes;
using StableSnn.Silo.Security;
using StableSnn.Silo.Storage;
using StableSnn.Silo.Telemetry;

namespace StableSnn.Silo;

/// <summary>
/// A silo: Orleans with durable storage (SQLite on one machine, PostgreSQL on clusters), this node's slots and
/// trainer launching, telemetry (/metrics) and health endpoints. Settings: section "Storage" (Provider,
/// ConnectionString, ServiceId, ClusterId), "Network" (ports, addresses), "Tls", "Dashboard", "Node" (NodeOptions) and "Engine"; environment
/// variables use "__" for ":". Program runs it; tests build the same host with their own settings.
/// </summary>
public static class SiloHost
{
    /// <summary>"true" turns on Orleans' Kubernetes hosting (set by deploy/k8s on every silo pod).</summary>
    public const string KubernetesHostingVariable = "ORLEANS_HOSTING_KUBERNETES";

    /// <param name="customise">Runs first on the builder, e.g. to add configuration or set the URLs.</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? customise = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        // Lowest priority: every other configuration source may override these.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = TelemetryExtensions.LogLevelDefaults });
        customise?.Invoke(builder);
        var storage = builder.Configuration.GetSection("Storage").Get<StorageOptions>() ?? new StorageOptions();
        var network = (builder.Configuration.GetSection(NetworkOptions.Section).Get<NetworkOptions>() ?? new NetworkOptions()).Validate();
        var dashboard = builder.Configuration.GetSection(OperatorDashboardOptions.Section).Get<OperatorDashboardOptions>() ?? new OperatorDashboardOptions();
        // ASPNETCORE_URLS (or a test's UseUrls) wins; otherwise Network:HttpPort on Network:ListenAddress.
        var urls = builder.Configuration[WebHostDefaults.ServerUrlsKey] is { Length: > 0 } configured ? configured : network.HttpUrl();
        builder.WebHost.UseUrls(builder.AddStableSnnDashboard(dashboard, urls));
        builder.UseOrleans(silo =>
        {
            silo.UseStableSnnStorage(storage, network)
                .UseStableSnnTls(builder.Configuration.GetSection(TlsOptions.Section).Get<TlsOptions>() ?? new TlsOptions());
            // On Kubernetes: the pod's IP, name and namespace (downward API) become the silo's identity, and silos
            // delete the pods of members declared dead. Membership itself stays in PostgreSQL.
            if (builder.Configuration[KubernetesHostingVariable] == "true") silo.UseKubernetesHosting();
        });
        builder.Services.AddStableSnnNode(builder.Configuration);
        builder.AddStableSnnTelemetry();

        var app = builder.Build();
        app.MapStableSnnEndpoints();
        return app;
    }
}
