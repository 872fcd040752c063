using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StableSnn.Silo.Network;
using StableSnn.Silo.Nodes;
using StableSnn.Silo.Security;
using StableSnn.Silo.Storage;

namespace StableSnn.Client.Hosting;

/// <summary>
/// The CLI's way into the engine: a client of a running cluster (through its gateway), or, by default, an embedded
/// single-node silo in this process with SQLite state and CPU/GPU slots, so one machine needs nothing else.
/// </summary>
public sealed class ClusterConnection : IAsyncDisposable
{
    readonly IHost _host;

    ClusterConnection(IHost host, string description, string? artifactRoot)
    {
        _host = host;
        Description = description;
        ArtifactRoot = artifactRoot;
    }

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();
    public string Description { get; }
    /// <summary>Embedded only: where experiment artifacts are written.</summary>
    public string? ArtifactRoot { get; }

    public static async Task<ClusterConnection> Open(ClusterSettings settings, CancellationToken cancel = default)
    {
        return settings.Cluster is { } gateway ? await Connect(gateway, settings, cancel) : await StartEmbedded(settings, cancel);
    }

    static async Task<ClusterConnection> Connect(string gateway, ClusterSettings settings, CancellationToken cancel)
    {
        var endpoint = ParseEndpoint(gateway);
        var tls = ClusterTls.Load(settings);
        var builder = Host.CreateApplicationBuilder();
        CliLogging.Route(builder, settings);
        builder.UseOrleansClient(client => client
            .UseStaticClustering(endpoint)
            .Configure<Orleans.Configuration.ClusterOptions>(o => { o.ServiceId = settings.ServiceId; o.ClusterId = settings.ClusterId; })
            .UseStableSnnTls(tls));
        var host = builder.Build();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timeout.CancelAfter(TimeSpan.FromSeconds(15));
            await host.StartAsync(timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or SiloUnavailableException or SocketException or OrleansException)
        {
            host.Dispose();
            if (await ClusterTls.Diagnose(endpoint, settings, tls, cancel) is { } tlsProblem) throw new CliException($"{tlsProblem} (details: {CliLogging.LogFile(settings)})");
            throw new CliException($"cluster: cannot reach an Orleans gateway at {gateway} ({e.GetType().Name}); " +
                $"check the address, that the silos are running and that --cluster-id '{settings.ClusterId}' and --service-id '{settings.ServiceId}' " +
                $"are the silos' Storage__ClusterId and Storage__ServiceId, or omit --cluster to use the embedded silo (details: {CliLogging.LogFile(settings)})");
        }
        return new ClusterConnection(host, $"cluster at {gateway}", null);
    }

    static async Task<ClusterConnection> StartEmbedded(ClusterSettings settings, CancellationToken cancel)
    {
        var dataDir = Path.GetFullPath(settings.DataDir);
        if (File.Exists(dataDir))
            throw new CliException($"--data-dir: '{dataDir}' is a file; give a directory for the embedded silo's state (it is created if missing)");
        try { Directory.CreateDirectory(dataDir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"--data-dir: cannot create '{dataDir}' ({e.Message}); give a writable directory");
        }
        if (!PortIsFree(settings.GatewayPort) || !PortIsFree(settings.SiloPort))
            throw new CliException($"an embedded silo (or something else) already uses ports {settings.SiloPort}/{settings.GatewayPort}; " +
                $"if it is another stablesnn run, connect to it with --cluster localhost:{settings.GatewayPort}, or pick other ports with --silo-port/--gateway-port");
        var artifacts = Path.Combine(dataDir, "artifacts");
        var builder = Host.CreateApplicationBuilder();
        CliLogging.Route(builder, settings);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Node:ArtifactRoot"] = artifacts,
            ["Node:CpuSlots"] = settings.CpuSlots?.ToString(),
            ["Node:ThreadsPerCpuSlot"] = settings.ThreadsPerSlot?.ToString(),
            // One node: an attempt cut off by a restart is found after 1.5 leases; keep that short (heartbeats every 5 s).
            ["Engine:LeaseDuration"] = "00:00:20",
        });
        builder.Configuration.AddEnvironmentVariables("STABLESNN_");
        builder.UseOrleans(silo => silo.UseStableSnnStorage(StorageOptions.SqliteIn(dataDir),
            new NetworkOptions(settings.SiloPort, settings.GatewayPort)));
        builder.Services.AddStableSnnNode(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync(cancel);
        return new ClusterConnection(host, $"embedded silo, data in {dataDir}", artifacts);
    }

    static IPEndPoint ParseEndpoint(string gateway)
    {
        var parts = gateway.Split(':');
        if (parts.Length != 2 || !int.TryParse(parts[1], out var port) || port is <= 0 or > 65535)
            throw new CliException($"--cluster: '{gateway}' is not HOST:PORT (e.g. localhost:30000)");
        var address = parts[0] == "localhost" ? IPAddress.Loopback
            : IPAddress.TryParse(parts[0], out var ip) ? ip
            : Dns.GetHostAddresses(parts[0]).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
              ?? throw new CliException($"--cluster: cannot resolve host '{parts[0]}'");
        return new IPEndPoint(address, port);
    }

    static bool PortIsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(TimeSpan.FromSeconds(30));
        _host.Dispose();
    }
}
